"""Orders as the API answers them (the console reads the same): pure shaping, plus the pick
list the service sorts by shelf location."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from cloud.orders import service
from cloud.orders.flow import late
from cloud.orders.models import Order
from cloud.orders.schemas import OrderDetailOut, OrderLineOut, OrderOut
from cloud.stores import service as stores

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def order_out(order: Order, store: str, now: datetime) -> OrderOut:
    return OrderOut(
        order_id=order.order_id,
        store=store,
        channel=order.channel,
        fulfilment=order.fulfilment,
        status=order.status,
        pickup_code=order.pickup_code,
        customer=order.customer,
        currency=order.currency,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        tax_total=order.tax_total,
        total=order.total,
        payment_ref=order.payment_ref,
        refunded=order.refunded,
        picker=order.picker,
        sale_id=order.sale_id,
        late=late(order.status, order.due_at <= now),
        placed_at=order.placed_at,
        due_at=order.due_at,
        picking_at=order.picking_at,
        ready_at=order.ready_at,
        dispatched_at=order.dispatched_at,
        closed_at=order.closed_at,
    )


def detail_out(session: Session, order: Order, now: datetime) -> OrderDetailOut:
    code = stores.codes(session, [order.store_id]).get(order.store_id, "")
    lines = [
        OrderLineOut(
            line_no=item.line.line_no,
            sku=item.line.sku,
            gtin=item.line.gtin,
            name=item.line.name,
            qty=item.line.qty,
            picked=item.line.picked,
            unit_price=item.line.unit_price,
            amount=item.line.amount,
            discount=sum((Decimal(d["amount"]) for d in item.line.discounts), Decimal("0.00")),
            location=item.location,
        )
        for item in service.pick_list(session, order)
    ]
    return OrderDetailOut(**order_out(order, code, now).model_dump(), lines=lines)
