"""Single-use coupon codes: issue (by campaign or automatically), check, redeem on ingest.

Redemption is decided by the database: ``coupon_redemptions.code`` is UNIQUE and the insert
is insert-or-ignore, so when two kiosks used the same code offline exactly one sale wins,
whatever the order or the number of ingest workers; the loser is kept as a
:class:`CouponConflict` and reported, never silently dropped.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cloud.db.upsert import insert_ignore
from cloud.members.exceptions import CouponError
from cloud.members.models import Coupon, CouponConflict, CouponRedemption

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed


def new_code(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class Use:
    """A coupon code a sale says it used."""

    code: str
    sale_id: str
    store_id: int | None
    node: str
    member_id: int | None
    at: datetime
    amount: Decimal = Decimal(0)


def issue(
    session: Session,
    *,
    prefix: str,
    kind: str,
    value: Decimal,
    now: datetime,
    member_id: int | None = None,
    campaign_id: int | None = None,
    rule_id: str = "",
    min_spend: Decimal = Decimal(0),
    valid_from: datetime | None = None,
    expires_at: datetime | None = None,
    per_member_limit: int | None = None,
    issue_key: str | None = None,
    max_total: int | None = None,
    issued_by_id: int | None = None,
) -> Coupon | None:
    """A new single-use code; None when the member already holds ``per_member_limit`` of the
    campaign, the campaign has issued ``max_total`` codes, or ``issue_key`` was issued before
    (automatic coupons run again safely)."""
    if kind not in ("percent_off", "amount_off") or value <= 0:
        raise CouponError("a coupon is percent_off or amount_off with a positive value")
    if kind == "percent_off" and value > 100:
        raise CouponError("a percent_off coupon takes at most 100 %")
    if expires_at is not None and valid_from is not None and expires_at <= valid_from:
        raise CouponError("the coupon expires before it starts")
    if max_total is not None and campaign_id is not None:
        issued = session.scalar(
            select(func.count(Coupon.id)).where(Coupon.campaign_id == campaign_id)
        )
        if int(issued or 0) >= max_total:
            return None
    if per_member_limit is not None and member_id is not None and campaign_id is not None:
        held = session.scalar(
            select(func.count(Coupon.id)).where(
                Coupon.member_id == member_id, Coupon.campaign_id == campaign_id
            )
        )
        if int(held or 0) >= per_member_limit:
            return None
    row = {
        "code": new_code(prefix),
        "rule_id": rule_id,
        "member_id": member_id,
        "kind": kind,
        "value": value,
        "min_spend": min_spend,
        "issued_at": now,
        "valid_from": valid_from,
        "expires_at": expires_at,
        "campaign_id": campaign_id,
        "issue_key": issue_key,
        "issued_by_id": issued_by_id,
    }
    stmt = insert_ignore(session, Coupon).returning(Coupon.id)
    new_id = session.execute(stmt, [row]).scalar()
    if new_id is None:
        return None
    return session.get(Coupon, new_id)


def check(session: Session, code: str, *, now: datetime, member_id: int | None = None) -> Coupon:
    """The coupon if it can be used now by ``member_id``; :class:`CouponError` says why not."""
    coupon = session.scalars(select(Coupon).where(Coupon.code == code)).one_or_none()
    if coupon is None:
        raise CouponError("unknown coupon", reason="unknown")
    used = session.scalar(select(CouponRedemption.sale_id).where(CouponRedemption.code == code))
    if used is not None:
        raise CouponError("coupon already used", reason="used")
    if coupon.valid_from is not None and now < coupon.valid_from:
        raise CouponError("coupon not valid yet", reason="not_yet")
    if coupon.expires_at is not None and now >= coupon.expires_at:
        raise CouponError("coupon expired", reason="expired")
    if coupon.member_id is not None and member_id is not None and coupon.member_id != member_id:
        raise CouponError("coupon belongs to another member", reason="other_member")
    return coupon


def redeem(session: Session, uses: Sequence[Use]) -> list[CouponConflict]:
    """Record the uses of freshly ingested sales; returns the conflicts it reported.

    Known, valid codes race on UNIQUE(code); unknown or out-of-window codes are reported too
    (the kiosk honoured them offline from the price book's prefix only).
    """
    if not uses:
        return []
    codes = sorted({u.code for u in uses})
    known = {c.code: c for c in session.scalars(select(Coupon).where(Coupon.code.in_(codes)))}
    conflicts: list[dict[str, object]] = []
    candidates: list[Use] = []
    for use in uses:
        coupon = known.get(use.code)
        reason = _invalid(coupon, use)
        if reason:
            conflicts.append(_conflict(use, reason, None))
        else:
            candidates.append(use)
    if candidates:
        rows = [
            {
                "code": u.code,
                "sale_id": u.sale_id,
                "store_id": u.store_id,
                "node": u.node,
                "member_id": u.member_id,
                "redeemed_at": u.at,
            }
            for u in candidates
        ]
        stmt = insert_ignore(session, CouponRedemption).returning(
            CouponRedemption.code, CouponRedemption.sale_id
        )
        won = {(c, s) for c, s in session.execute(stmt, rows)}
        lost = [u for u in candidates if (u.code, u.sale_id) not in won]
        when = {(u.code, u.sale_id): u.at for u in candidates}
        for code, sale_id in sorted(won):
            session.execute(
                update(Coupon)
                .where(Coupon.code == code)
                .values(redeemed_sale_id=sale_id, redeemed_at=when[(code, sale_id)])
            )
        if lost:
            winners = dict(
                session.execute(
                    select(CouponRedemption.code, CouponRedemption.sale_id).where(
                        CouponRedemption.code.in_(sorted({u.code for u in lost}))
                    )
                ).all()
            )
            for u in lost:
                if winners.get(u.code) != u.sale_id:
                    conflicts.append(_conflict(u, "already_used", winners.get(u.code)))
    if not conflicts:
        return []
    session.execute(insert_ignore(session, CouponConflict), conflicts)
    for c in conflicts:
        log.warning("coupon %s on sale %s refused: %s", c["code"], c["sale_id"], c["reason"])
    return list(
        session.scalars(
            select(CouponConflict).where(
                CouponConflict.sale_id.in_(sorted({str(c["sale_id"]) for c in conflicts}))
            )
        )
    )


def _invalid(coupon: Coupon | None, use: Use) -> str:
    if coupon is None:
        return "unknown"
    at = use.at
    if coupon.valid_from is not None and at < _aware(coupon.valid_from, at):
        return "not_yet"
    if coupon.expires_at is not None and at >= _aware(coupon.expires_at, at):
        return "expired"
    if coupon.member_id is not None and use.member_id not in (None, coupon.member_id):
        return "other_member"
    return ""


def _aware(value: datetime, like: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; compare like with like."""
    if value.tzinfo is None and like.tzinfo is not None:
        return value.replace(tzinfo=like.tzinfo)
    return value


def _conflict(use: Use, reason: str, winner: str | None) -> dict[str, object]:
    return {
        "code": use.code,
        "sale_id": use.sale_id,
        "store_id": use.store_id,
        "node": use.node,
        "reason": reason,
        "winner_sale_id": winner,
        "amount": use.amount,
        "occurred_at": use.at,
        "resolved": False,
    }


def release(session: Session, sale_id: str) -> list[str]:
    """A fully returned sale gives its coupons back (usable again); returns the codes."""
    codes = list(
        session.scalars(select(CouponRedemption.code).where(CouponRedemption.sale_id == sale_id))
    )
    if codes:
        session.execute(delete(CouponRedemption).where(CouponRedemption.sale_id == sale_id))
        session.execute(
            update(Coupon)
            .where(Coupon.code.in_(codes))
            .values(redeemed_at=None, redeemed_sale_id=None)
        )
    return codes


def conflicts(session: Session, *, unresolved_only: bool = True) -> Sequence[CouponConflict]:
    stmt = select(CouponConflict).order_by(CouponConflict.occurred_at, CouponConflict.id)
    if unresolved_only:
        stmt = stmt.where(CouponConflict.resolved.is_(False))
    return session.scalars(stmt).all()
