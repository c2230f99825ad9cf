"""Members and points. Balances change only by atomic ``UPDATE … SET points = points + n``
after a ledger row was inserted under its UNIQUE(sale_id, kind): concurrent workers can
neither double-award nor lose an update."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud.db.upsert import (
    insert_ignore,
)
from cloud.exceptions import ConflictError, NotFoundError
from cloud.members import repository
from cloud.members.models import Coupon, Member, PointsEntry, PointsShortfall
from contracts.pricebook import PointsPolicy

log = logging.getLogger(__name__)

TIERS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(20000), "platinum"),
    (Decimal(5000), "gold"),
    (Decimal(1000), "silver"),
    (Decimal(0), "basic"),
)


def tier_for_spend(spend: Decimal) -> str:
    for threshold, tier in TIERS:
        if spend >= threshold:
            return tier
    return "basic"


def points_for(amount: Decimal, policy: PointsPolicy) -> int:
    """Points earned on ``amount`` paid in money (never negative, rounded down)."""
    if amount <= 0:
        return 0
    return int((amount * policy.earn_per_unit).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True, slots=True)
class Award:
    member_id: int
    sale_id: str
    kind: str  # earn | redeem
    points: int  # signed: redeem is negative
    spend: Decimal
    at: datetime


def create_member(
    session: Session,
    *,
    phone: str | None = None,
    card: str | None = None,
    name: str = "",
    birthday: date | None = None,
    joined_at: datetime | None = None,
) -> Member:
    if phone is None and card is None:
        raise ValueError("a member needs a phone number or a card")
    if phone is not None and repository.by_phone(session, phone) is not None:
        raise ConflictError(f"phone {phone} is already a member")
    if card is not None and repository.by_card(session, card) is not None:
        raise ConflictError(f"card {card} is already a member")
    member = Member(phone=phone, card=card, name=name, birthday=birthday)
    if joined_at is not None:
        member.joined_at = joined_at
    session.add(member)
    session.flush()
    return member


def find_member(session: Session, *, phone: str | None = None, card: str | None = None) -> Member:
    member = None
    if phone is not None:
        member = repository.by_phone(session, phone)
    elif card is not None:
        member = repository.by_card(session, card)
    if member is None:
        raise NotFoundError("member not found")
    return member


def apply_awards(session: Session, awards: Sequence[Award]) -> list[Award]:
    """Insert ledger rows (duplicates ignored), then move balances for the new ones only."""
    if not awards:
        return []
    rows = [
        {
            "member_id": a.member_id,
            "kind": a.kind,
            "points": a.points,
            "sale_id": a.sale_id,
            "reason": f"sale {a.sale_id}",
            "created_at": a.at,
        }
        for a in awards
    ]
    fresh = repository.insert_ledger(session, rows)
    applied = [a for a in awards if (a.sale_id, a.kind) in fresh]
    earns = [a for a in applied if a.kind != "redeem"]
    if earns:
        repository.move_balances(
            session,
            [(a.member_id, a.points, a.spend if a.kind == "earn" else Decimal(0)) for a in earns],
        )
    for award in applied:
        if award.kind == "redeem":
            _take_points(session, award)
    return applied


def _take_points(session: Session, award: Award) -> None:
    """A redemption never takes the balance below zero: an offline over-redemption is
    clamped to what the member had, its ledger row rewritten to the points really taken and
    the difference kept as a :class:`PointsShortfall` for the store to follow up."""
    balance = session.scalar(
        select(Member.points_balance).where(Member.id == award.member_id).with_for_update()
    )
    asked = -award.points
    taken = max(0, min(asked, int(balance or 0)))
    if taken != asked:
        session.execute(
            update(PointsEntry)
            .where(PointsEntry.sale_id == award.sale_id, PointsEntry.kind == "redeem")
            .values(points=-taken, reason=f"sale {award.sale_id} (asked {asked})")
        )
        session.execute(
            insert_ignore(session, PointsShortfall),
            [
                {
                    "member_id": award.member_id,
                    "sale_id": award.sale_id,
                    "asked": asked,
                    "taken": taken,
                    "occurred_at": award.at,
                }
            ],
        )
        log.warning(
            "sale %s redeemed %d points offline, member %d had %d",
            award.sale_id,
            asked,
            award.member_id,
            taken,
        )
    if taken:
        session.execute(
            update(Member)
            .where(Member.id == award.member_id)
            .values(points_balance=Member.points_balance - taken)
        )


def adjust_points(
    session: Session, member_id: int, points: int, *, kind: str, reason: str, now: datetime
) -> PointsEntry:
    """Manual redeem/expire/adjust from the console; the balance moves atomically."""
    if kind not in ("redeem", "expire", "adjust"):
        raise ValueError(f"unsupported points entry {kind!r}")
    entry = PointsEntry(
        member_id=member_id, kind=kind, points=points, reason=reason, created_at=now
    )
    session.add(entry)
    session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(points_balance=Member.points_balance + points)
    )
    session.flush()
    return entry


def expire_points(session: Session, *, now: datetime) -> int:
    """Expire earn entries past their ``expires_at`` once; returns the points removed."""
    due = session.execute(
        select(PointsEntry.member_id, func.sum(PointsEntry.points))
        .where(PointsEntry.kind == "earn", PointsEntry.expires_at <= now)
        .where(PointsEntry.reason.not_like("%expired%"))
        .group_by(PointsEntry.member_id)
    ).all()
    total = 0
    for member_id, points in due:
        balance = session.get(Member, member_id)
        removable = min(int(points or 0), balance.points_balance if balance else 0)
        if removable > 0:
            adjust_points(
                session, member_id, -removable, kind="expire", reason="points expired", now=now
            )
            total += removable
    session.execute(
        update(PointsEntry)
        .where(PointsEntry.kind == "earn", PointsEntry.expires_at <= now)
        .where(PointsEntry.reason.not_like("%expired%"))
        .values(reason=PointsEntry.reason + " (expired)")
    )
    return total


def issue_coupon(
    session: Session,
    *,
    code: str,
    kind: str,
    value: Decimal,
    now: datetime,
    member_id: int | None = None,
    rule_id: str = "",
    min_spend: Decimal = Decimal(0),
    expires_at: datetime | None = None,
) -> Coupon:
    coupon = Coupon(
        code=code,
        kind=kind,
        value=value,
        member_id=member_id,
        rule_id=rule_id,
        min_spend=min_spend,
        issued_at=now,
        expires_at=expires_at,
    )
    session.add(coupon)
    session.flush()
    return coupon


def redeem_coupon(session: Session, code: str, *, sale_id: str, now: datetime) -> bool:
    """Single use by a conditional UPDATE: False if unknown, expired or already used."""
    result = session.execute(
        update(Coupon)
        .where(Coupon.code == code, Coupon.redeemed_at.is_(None))
        .where((Coupon.expires_at.is_(None)) | (Coupon.expires_at > now))
        .values(redeemed_at=now, redeemed_sale_id=sale_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def points_history(session: Session, member_id: int) -> Sequence[PointsEntry]:
    return repository.ledger(session, member_id)


def by_phone(session: Session, phone: str) -> Member | None:
    return repository.by_phone(session, phone)


def ids_for(
    session: Session, phones: Iterable[str], cards: Iterable[str]
) -> dict[tuple[str, str], int]:
    """("phone", number) / ("card", number) → member id, in at most two queries."""
    return repository.ids_for(session, phones, cards)


def tiers_of(session: Session, member_ids: Iterable[int]) -> dict[int, str]:
    """member id → tier name, in one query (sales apply the tier's points multiplier)."""
    return repository.tiers_of(session, member_ids)


def by_card(session: Session, card: str) -> Member | None:
    return repository.by_card(session, card)


def member_by_id(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def list_page(
    session: Session,
    *,
    phone: str | None = None,
    card: str | None = None,
    q: str | None = None,
    tier: str | None = None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Member], int]:
    """Members by id, filtered (``q``: name, phone or card contains); one page and the count."""
    return repository.page(
        session, phone=phone, card=card, q=q, tier=tier, limit=limit, offset=offset
    )


def search(session: Session, q: str, limit: int = 50) -> Sequence[Member]:
    """The first ``limit`` members by id whose name, phone or card contains ``q``."""
    return repository.search(session, q, limit)


def points_page(
    session: Session, member_id: int, *, limit: int, offset: int
) -> tuple[Sequence[PointsEntry], int]:
    """The member's points ledger, newest first; one page and the count."""
    return repository.points_page(session, member_id, limit=limit, offset=offset)
