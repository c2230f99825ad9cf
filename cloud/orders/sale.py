"""An order as a ``sale`` payload, pure: its lines and totals as priced when it was placed,
paid by one ``online`` tender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from cloud.orders.models import Order, OrderLine
from contracts.messages import Discount, SaleData, SaleLine, Tender


def sale_id_of(order: Order) -> str:
    return f"order-{order.order_id}"


def sale_data(order: Order, lines: Sequence[OrderLine], at: datetime) -> SaleData:
    return SaleData(
        sale_id=sale_id_of(order),
        completed_at=at,
        currency=order.currency,
        lines=[
            SaleLine(
                gtin=ln.gtin,
                name=ln.name,
                qty=ln.qty,
                unit_price=ln.unit_price,
                amount=ln.amount,
                discounts=[
                    Discount(promotion=d["promotion"], amount=Decimal(d["amount"]))
                    for d in ln.discounts
                ],
            )
            for ln in lines
        ],
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        tax_total=order.tax_total,
        total=order.total,
        tenders=[
            Tender(
                method="online", amount=order.total, reference=order.payment_ref, provider="online"
            )
        ],
        change=Decimal("0.00"),
        tax_inclusive=order.tax_inclusive,
        order_id=order.order_id,
        channel=order.channel,
    )
