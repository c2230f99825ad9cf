"""Recording sales from kiosk events, in bulk and in the caller's single transaction.

A sale writes its header, lines, discounts and tenders, one inventory movement per line,
the member's points (earn, and redeem for a points tender) and one revenue entry. Every
table that could be written twice has a UNIQUE key, and the header insert is
insert-or-ignore on ``sale_id``: only sales whose header was new get the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.db.upsert import bulk_insert, insert_ignore, is_postgres
from cloud.finance import service as finance
from cloud.inventory import service as inventory
from cloud.members import ingest as member_ingest
from cloud.members import service as members
from cloud.members.tiers import TierPolicy
from cloud.sales import repository
from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender, Void, ZReport
from cloud.sales.rows import sale_rows
from contracts.messages import CardMember, PhoneMember, SaleData, VoidData, ZReportData
from contracts.pricebook import PointsPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SaleRecord:
    """An accepted sale event: who sent it and its validated payload."""

    store_id: int
    node: str
    event_id: str
    data: SaleData


def _member_key(data: SaleData) -> tuple[str, str] | None:
    if isinstance(data.member, PhoneMember):
        return ("phone", data.member.phone)
    if isinstance(data.member, CardMember):
        return ("card", data.member.card)
    return None


def _with_pk(rows: list[dict[str, Any]], pks: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        row = dict(row)
        sid = row.pop("_sale")
        if pks:
            row["sale_pk"] = pks[sid]
        out.append(row)
    return out


def record_sales(
    session: Session,
    records: Sequence[SaleRecord],
    now: datetime,
    policy: PointsPolicy | None = None,
    tiers: TierPolicy | None = None,
) -> list[str]:
    """Write new sales with everything they imply; returns the sale ids actually recorded.

    A sale id seen twice in ``records`` (one sale under two event ids) is recorded once.
    Points earned are multiplied by the ``points_multiplier`` of the member's tier as the
    cloud records it (the authority; kiosks only estimate it on the receipt).
    """
    if not records:
        return []
    policy = policy or PointsPolicy()
    unique: dict[str, SaleRecord] = {}
    for rec in records:
        unique.setdefault(rec.data.sale_id, rec)
    headers, earned = _headers(session, unique, now, policy, tiers or TierPolicy())
    recorded = _write(session, unique, headers)
    fresh = [r for sid, r in unique.items() if sid in recorded]
    if len(fresh) < len(records):
        log.info("skipped %d sale(s) already recorded", len(records) - len(fresh))
    members.apply_awards(session, _awards(fresh, earned, now, policy))
    # coupon redemptions: UNIQUE(code) decides between kiosks
    member_ingest.after_sales(
        session,
        [(r.data, r.store_id, r.node, earned.get(r.data.sale_id, (None, 0))[0]) for r in fresh],
    )
    return [r.data.sale_id for r in fresh]


def _headers(
    session: Session,
    unique: dict[str, SaleRecord],
    now: datetime,
    policy: PointsPolicy,
    tier_policy: TierPolicy,
) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """The header row of each sale, and sale_id → (member id, points earned) for members."""
    keys = [k for r in unique.values() if (k := _member_key(r.data)) is not None]
    member_ids = members.ids_for(
        session, (v for k, v in keys if k == "phone"), (v for k, v in keys if k == "card")
    )
    member_tiers = members.tiers_of(session, member_ids.values())
    headers: list[dict[str, Any]] = []
    earned: dict[str, tuple[int, int]] = {}  # sale_id → (member id, points)
    for rec in unique.values():
        d = rec.data
        key = _member_key(d)
        member_id = member_ids.get(key) if key else None
        points = 0
        note = ""
        if key is not None and member_id is None:
            note = f"unknown member {key[0]} {key[1]}: no points"
        elif member_id is not None:
            paid = sum(
                (t.amount for t in d.tenders if t.method not in ("points", "coupon")), Decimal(0)
            )
            boost = tier_policy.get(member_tiers.get(member_id, "")).points_multiplier
            points = members.points_for((paid - d.change) * boost, policy)
            earned[d.sale_id] = (member_id, points)
        headers.append(
            {
                "sale_id": d.sale_id,
                "store_id": rec.store_id,
                "node": rec.node,
                "event_id": rec.event_id,
                "completed_at": d.completed_at,
                "currency": d.currency,
                "member_id": member_id,
                "member_ref": key[1] if key else None,
                "subtotal": d.subtotal,
                "discount_total": d.discount_total,
                "tax_total": d.tax_total,
                "total": d.total,
                "change": d.change,
                "tax_inclusive": d.tax_inclusive,
                "points_earned": points,
                "note": note,
                "received_at": now,
            }
        )
    return headers, earned


def _write(
    session: Session, unique: dict[str, SaleRecord], headers: list[dict[str, Any]]
) -> set[str]:
    """Insert the new headers and the rows they imply; the sale ids whose header was new."""
    if is_postgres(session):
        # One statement: headers insert-or-ignore, and the rows of the new ones only.
        rows = sale_rows(session, list(unique.values()))
        return repository.write_sales_pg(
            session,
            headers,
            lines=rows.lines,
            discounts=rows.discounts,
            tenders=rows.tenders,
            movements=rows.movements,
            revenue=rows.revenue,
        )
    pks = _insert_headers(session, headers)
    rows = sale_rows(session, [r for sid, r in unique.items() if sid in pks])
    for model, tagged in (
        (SaleLine, rows.lines),
        (SaleDiscount, rows.discounts),
        (Tender, rows.tenders),
    ):
        bulk_insert(session, model, _with_pk(tagged, pks))
    inventory.record_movements(session, _with_pk(rows.movements, {}))
    finance.record_revenue(session, _with_pk(rows.revenue, pks))
    return set(pks)


def _awards(
    fresh: Sequence[SaleRecord],
    earned: dict[str, tuple[int, int]],
    now: datetime,
    policy: PointsPolicy,
) -> list[members.Award]:
    """Points earned, and redeemed by a points tender, on each newly recorded member sale."""
    awards: list[members.Award] = []
    for rec in fresh:
        d = rec.data
        if d.sale_id not in earned:
            continue
        member_id, points = earned[d.sale_id]
        awards.append(members.Award(member_id, d.sale_id, "earn", points, d.total, now))
        used = sum((t.amount for t in d.tenders if t.method == "points"), Decimal(0))
        if used > 0:
            redeemed = int(used / policy.redeem_value)
            awards.append(members.Award(member_id, d.sale_id, "redeem", -redeemed, d.total, now))
    return awards


def _insert_headers(session: Session, headers: list[dict[str, Any]]) -> dict[str, int]:
    """sale_id → primary key of the headers that were new (insert-or-ignore on sale_id)."""
    stmt = insert_ignore(session, Sale).returning(Sale.id, Sale.sale_id)
    return {sid: pk for pk, sid in session.execute(stmt, headers)}


def record_void(
    session: Session, *, store_id: int, node: str, event_id: str, data: VoidData, at: datetime
) -> None:
    session.execute(
        insert_ignore(session, Void),
        [
            {
                "store_id": store_id,
                "node": node,
                "event_id": event_id,
                "cart_id": data.cart_id,
                "reason": data.reason,
                "amount": data.amount,
                "approved_by": data.approved_by,
                "occurred_at": at,
            }
        ],
    )


def record_zreport(
    session: Session, *, store_id: int, node: str, data: ZReportData, now: datetime
) -> None:
    """Kept whole for settlement; a resent report number is ignored."""
    session.execute(
        insert_ignore(session, ZReport),
        [
            {
                "store_id": store_id,
                "node": node,
                "report_no": data.report_no,
                "business_date": data.business_date,
                "sales_count": data.sales_count,
                "total": data.total,
                "data": data.model_dump(mode="json"),
                "received_at": now,
            }
        ],
    )


def member_figures(session: Session, since: datetime) -> dict[int, tuple[Decimal, int]]:
    """member id → (spend, visits) since ``since``: the figures members' tiers move by
    (``members.tiers.refresh_tiers``, called by the shell with them)."""
    return repository.member_figures(session, since)


def get_sale(session: Session, sale_id: str) -> Sale | None:
    return repository.by_sale_id(session, sale_id)


def list_sales(
    session: Session,
    *,
    store: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Sale]:
    return repository.query(
        session, store=store, since=since, until=until, limit=limit, offset=offset
    )


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    since: datetime | None,
    until: datetime | None,
    node: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Sale], int]:
    """Newest first among ``store_ids`` (None: all stores), one page, and how many match."""
    return repository.page(
        session,
        store_ids=store_ids,
        since=since,
        until=until,
        node=node,
        limit=limit,
        offset=offset,
    )


def parts(
    session: Session, sale: Sale
) -> tuple[Sequence[SaleLine], Sequence[SaleDiscount], Sequence[Tender]]:
    """The sale's lines, discounts and tenders, each in recorded order."""
    return (
        repository.lines(session, sale.id),
        repository.discounts(session, sale.id),
        repository.tenders(session, sale.id),
    )


def sale_by_pk(session: Session, sale_pk: int) -> Sale | None:
    return session.get(Sale, sale_pk)


def lines_of(session: Session, sale_pk: int) -> Sequence[SaleLine]:
    return repository.lines(session, sale_pk)
