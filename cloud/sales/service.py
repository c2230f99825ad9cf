"""Recording sales from kiosk events, in bulk and in the caller's single transaction.

A sale writes its header, lines, discounts and tenders, one inventory movement per line,
the member's points (earn, and redeem for a points tender) and one revenue entry. Every
table that could be written twice has a UNIQUE key, and the header insert is
insert-or-ignore on ``sale_id``: only sales whose header was new get the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.upsert import bulk_insert, insert_ignore, reserve_ids
from cloud.finance import service as finance
from cloud.inventory import service as inventory
from cloud.members import repository as member_repo
from cloud.members import service as members
from cloud.products import repository as products
from cloud.sales import repository
from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender, Void, ZReport
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


def record_sales(
    session: Session,
    records: Sequence[SaleRecord],
    now: datetime,
    policy: PointsPolicy | None = None,
) -> list[str]:
    """Write new sales with everything they imply; returns the sale ids actually recorded."""
    if not records:
        return []
    policy = policy or PointsPolicy()
    keys = [k for r in records if (k := _member_key(r.data)) is not None]
    member_ids = member_repo.ids_for(
        session, (v for k, v in keys if k == "phone"), (v for k, v in keys if k == "card")
    )
    headers: list[dict[str, Any]] = []
    earned: dict[str, int] = {}
    for rec in records:
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
            points = members.points_for(paid - d.change, policy)
        earned[d.sale_id] = points
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
    new_pks = _insert_headers(session, headers)
    fresh = [r for r in records if r.data.sale_id in new_pks]
    if len(fresh) < len(records):
        log.info("skipped %d sale(s) already recorded", len(records) - len(fresh))
    if not fresh:
        return []
    catalog = products.gtin_index(session, (ln.gtin for r in fresh for ln in r.data.lines))
    lines: list[dict[str, Any]] = []
    discounts: list[dict[str, Any]] = []
    tenders: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    revenue: list[dict[str, Any]] = []
    awards: list[members.Award] = []
    for rec in fresh:
        d = rec.data
        pk = new_pks[d.sale_id]
        cost = Decimal(0)
        for no, ln in enumerate(d.lines, start=1):
            product_id, unit_cost = catalog.get(ln.gtin, (None, None))
            line_discount = sum((x.amount for x in ln.discounts), Decimal(0))
            lines.append(
                {
                    "sale_pk": pk,
                    "line_no": no,
                    "product_id": product_id,
                    "gtin": ln.gtin,
                    "name": ln.name,
                    "qty": ln.qty,
                    "unit_price": ln.unit_price,
                    "amount": ln.amount,
                    "discount": line_discount,
                }
            )
            discounts.extend(
                {"sale_pk": pk, "line_no": no, "promotion": x.promotion, "amount": x.amount}
                for x in ln.discounts
            )
            movements.append(
                {
                    "store_id": rec.store_id,
                    "product_id": product_id,
                    "gtin": ln.gtin,
                    "kind": "sale",
                    "qty": -ln.qty,
                    "unit_cost": unit_cost,
                    "reference": d.sale_id,
                    "reason": "",
                    "occurred_at": d.completed_at,
                }
            )
            if unit_cost is not None:
                cost += unit_cost * ln.qty
        line_level = sum((x.amount for ln in d.lines for x in ln.discounts), Decimal(0))
        if d.discount_total > line_level:
            discounts.append(
                {
                    "sale_pk": pk,
                    "line_no": None,
                    "promotion": "basket",
                    "amount": d.discount_total - line_level,
                }
            )
        tenders.extend(
            {"sale_pk": pk, "method": t.method, "amount": t.amount, "reference": t.reference}
            for t in d.tenders
        )
        revenue.append(
            finance.revenue_row(
                store_id=rec.store_id,
                sale_pk=pk,
                at=d.completed_at,
                subtotal=d.subtotal,
                discount=d.discount_total,
                tax=d.tax_total,
                tax_inclusive=d.tax_inclusive,
                cost=cost.quantize(Decimal("0.01")),
            )
        )
        key = _member_key(d)
        member_id = member_ids.get(key) if key else None
        if member_id is not None:
            awards.append(
                members.Award(member_id, d.sale_id, "earn", earned[d.sale_id], d.total, now)
            )
            used = sum((t.amount for t in d.tenders if t.method == "points"), Decimal(0))
            if used > 0:
                redeemed = int(used / policy.redeem_value)
                awards.append(
                    members.Award(member_id, d.sale_id, "redeem", -redeemed, d.total, now)
                )
    bulk_insert(session, SaleLine, lines)
    bulk_insert(session, SaleDiscount, discounts)
    bulk_insert(session, Tender, tenders)
    inventory.record_movements(session, movements)
    finance.record_revenue(session, revenue)
    members.apply_awards(session, awards)
    return [r.data.sale_id for r in fresh]


def _insert_headers(session: Session, headers: list[dict[str, Any]]) -> dict[str, int]:
    """sale_id → primary key of the headers that were new.

    Batches on PostgreSQL skip the sale ids already present, then COPY the rest with ids
    reserved from the sequence (several times faster than INSERT … RETURNING). A sale id
    inserted meanwhile by another worker makes COPY fail on the UNIQUE key; the pipeline then
    retries one message at a time, which takes the insert-or-ignore path below.
    """
    if len(headers) > 1:
        ids = reserve_ids(session, Sale, len(headers))
        if ids is not None:
            wanted = [h["sale_id"] for h in headers]
            present = set(session.scalars(select(Sale.sale_id).where(Sale.sale_id.in_(wanted))))
            fresh: dict[str, dict[str, Any]] = {}
            for h in headers:
                if h["sale_id"] not in present and h["sale_id"] not in fresh:
                    fresh[h["sale_id"]] = h
            rows = [{"id": pk, **h} for pk, h in zip(ids, fresh.values(), strict=False)]
            bulk_insert(session, Sale, rows)
            return {r["sale_id"]: r["id"] for r in rows}
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
