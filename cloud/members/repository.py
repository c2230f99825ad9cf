"""Member queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.members.models import Member, PointsEntry


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalars(select(Member).where(Member.phone == phone)).one_or_none()


def by_card(session: Session, card: str) -> Member | None:
    return session.scalars(select(Member).where(Member.card == card)).one_or_none()


def ids_for(
    session: Session, phones: Iterable[str], cards: Iterable[str]
) -> dict[tuple[str, str], int]:
    """("phone", number) / ("card", number) → member id, in at most two queries."""
    found: dict[tuple[str, str], int] = {}
    phone_list, card_list = sorted(set(phones)), sorted(set(cards))
    if phone_list:
        for mid, phone in session.execute(
            select(Member.id, Member.phone).where(Member.phone.in_(phone_list))
        ):
            found[("phone", str(phone))] = mid
    if card_list:
        for mid, card in session.execute(
            select(Member.id, Member.card).where(Member.card.in_(card_list))
        ):
            found[("card", str(card))] = mid
    return found


def tiers_of(session: Session, member_ids: Iterable[int]) -> dict[int, str]:
    """member id → tier name, in one query (ingest applies the tier's points multiplier)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    return {
        int(mid): str(tier)
        for mid, tier in session.execute(select(Member.id, Member.tier).where(Member.id.in_(ids)))
    }


def ledger(session: Session, member_id: int, limit: int = 100) -> Sequence[PointsEntry]:
    stmt = (
        select(PointsEntry)
        .where(PointsEntry.member_id == member_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()
