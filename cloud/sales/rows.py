"""The rows a batch of sales implies (lines, discounts, tenders, stock movements, revenue),
built in memory so the writer inserts each table in one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cloud.finance import service as finance
from cloud.products import service as products

if TYPE_CHECKING:
    from cloud.sales.service import SaleRecord

ZERO = Decimal(0)


@dataclass(slots=True)
class SaleRows:
    """Rows implied by a batch of sales, each with its ``sale_id`` under ``_sale`` (the sale's
    primary key is only known once its header is in)."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    discounts: list[dict[str, Any]] = field(default_factory=list)
    tenders: list[dict[str, Any]] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    revenue: list[dict[str, Any]] = field(default_factory=list)


def sale_rows(session: Session, sales: Sequence[SaleRecord]) -> SaleRows:
    """Lines, discounts, tenders, stock movements and revenue entries of ``sales``."""
    out = SaleRows()
    if not sales:
        return out
    catalog = products.gtin_index(session, (ln.gtin for r in sales for ln in r.data.lines))
    for rec in sales:
        d = rec.data
        sid = d.sale_id
        cost, line_level = _line_rows(out, rec, catalog)
        if d.discount_total > line_level:
            out.discounts.append(
                {
                    "_sale": sid,
                    "line_no": None,
                    "promotion": "basket",
                    "amount": d.discount_total - line_level,
                }
            )
        out.tenders.extend(
            {
                "_sale": sid,
                "method": t.method,
                "amount": t.amount,
                "reference": t.reference,
                "provider": t.provider or t.method,
            }
            for t in d.tenders
        )
        revenue = finance.revenue_row(
            store_id=rec.store_id,
            sale_pk=0,
            at=d.completed_at,
            subtotal=d.subtotal,
            discount=d.discount_total,
            tax=d.tax_total,
            tax_inclusive=d.tax_inclusive,
            cost=cost.quantize(Decimal("0.01")),
        )
        del revenue["sale_pk"]
        revenue["_sale"] = sid
        out.revenue.append(revenue)
    return out


def _line_rows(
    out: SaleRows, rec: SaleRecord, catalog: Mapping[str, tuple[int, Decimal | None]]
) -> tuple[Decimal, Decimal]:
    """Append one sale's line, discount and movement rows; return its cost and the sum of
    its line-level discounts."""
    d = rec.data
    sid = d.sale_id
    cost = ZERO
    line_level = ZERO
    for no, ln in enumerate(d.lines, start=1):
        product_id, unit_cost = catalog.get(ln.gtin, (None, None))
        line_discount = sum((x.amount for x in ln.discounts), ZERO) if ln.discounts else ZERO
        line_level += line_discount
        out.lines.append(
            {
                "_sale": sid,
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
        if ln.discounts:  # most lines have none: no generator for them (ingest hot path)
            out.discounts.extend(
                {"_sale": sid, "line_no": no, "promotion": x.promotion, "amount": x.amount}
                for x in ln.discounts
            )
        out.movements.append(
            {
                "_sale": sid,
                "store_id": rec.store_id,
                "product_id": product_id,
                "gtin": ln.gtin,
                "kind": "sale",
                "qty": -ln.qty,
                "unit_cost": unit_cost,
                "reference": sid,
                "reason": "",
                "occurred_at": d.completed_at,
            }
        )
        if unit_cost is not None:
            cost += unit_cost * ln.qty
    return cost, line_level
