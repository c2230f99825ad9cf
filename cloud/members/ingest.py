"""The member programme's hook into sale ingest: coupon redemptions, in the sale's transaction.

Kept to one call from ``cloud.sales.service.record_sales`` and one query per batch: most
sales carry no coupon and cost nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.members import coupons
from contracts.messages import SaleData


def coupon_uses(
    data: SaleData, store_id: int | None, node: str, member_id: int | None
) -> list[coupons.Use]:
    """Codes a sale used: the ``coupons`` field the kiosk adds, and coupon tenders."""
    extra = data.model_extra or {}
    raw = extra.get("coupons") or []
    codes: dict[str, Decimal] = {}
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, str) and 0 < len(item) <= 64:
                codes.setdefault(item, Decimal(0))
    for t in data.tenders:
        if t.method == "coupon" and 0 < len(t.reference) <= 64:
            codes[t.reference] = codes.get(t.reference, Decimal(0)) + t.amount
    if not codes:  # most sales: no coupon, nothing more to look at
        return []
    for ln in data.lines:
        for d in ln.discounts:
            if d.promotion in codes:
                codes[d.promotion] += d.amount
    return [
        coupons.Use(code, data.sale_id, store_id, node, member_id, data.completed_at, amount)
        for code, amount in sorted(codes.items())
    ]


def after_sales(
    session: Session, sales: Sequence[tuple[SaleData, int | None, str, int | None]]
) -> None:
    """(sale, store id, node, member id) of freshly recorded sales."""
    uses = [u for d, store, node, member in sales for u in coupon_uses(d, store, node, member)]
    if uses:
        coupons.redeem(session, uses)
