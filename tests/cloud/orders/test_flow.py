"""The pure parts of orders: the status machine, and an order as a balanced sale payload."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cloud.orders.exceptions import OrderStateError
from cloud.orders.flow import ACTIONS, late, next_status
from cloud.orders.models import Order, OrderLine
from cloud.orders.sale import sale_data

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "fulfilment", "action", "to"),
    [
        ("placed", "pickup", "pick", "picking"),
        ("picking", "pickup", "ready", "ready"),
        ("ready", "pickup", "collect", "collected"),
        ("ready", "delivery", "dispatch", "out_for_delivery"),
        ("out_for_delivery", "delivery", "deliver", "delivered"),
        ("out_for_delivery", "delivery", "cancel", "cancelled"),
        ("placed", "pickup", "cancel", "cancelled"),
    ],
)
def test_allowed_moves(status: str, fulfilment: str, action: str, to: str) -> None:
    assert next_status(status, fulfilment, action) == to  # type: ignore[arg-type]


def test_everything_else_is_refused() -> None:
    allowed = {
        ("placed", "pick"), ("picking", "ready"), ("ready", "collect"), ("ready", "dispatch"),
        ("out_for_delivery", "deliver"),
    } | {(s, "cancel") for s in ("placed", "picking", "ready", "out_for_delivery")}  # fmt: skip
    statuses = ("placed", "picking", "ready", "out_for_delivery", "collected", "delivered",
                "cancelled")  # fmt: skip
    for status in statuses:
        for action in ACTIONS:
            if (status, action) in allowed:
                continue
            with pytest.raises(OrderStateError):
                next_status(status, "pickup", action)
    with pytest.raises(OrderStateError, match="cannot collect a delivery order"):
        next_status("ready", "delivery", "collect")
    with pytest.raises(OrderStateError, match="cannot dispatch a pickup order"):
        next_status("ready", "pickup", "dispatch")


def test_late_only_while_not_ready() -> None:
    assert late("placed", True)
    assert late("picking", True)
    assert not late("ready", True)
    assert not late("placed", False)


def test_an_order_is_a_balanced_sale_paid_online() -> None:
    order = Order(
        order_id="OR-00000000AA", channel="web", currency="CNY", subtotal=Decimal("37.50"),
        discount_total=Decimal("2.50"), tax_total=Decimal("4.03"), total=Decimal("35.00"),
        tax_inclusive=True, payment_ref="pay-1",
    )  # fmt: skip
    lines = [
        OrderLine(gtin="06901234567892", name="Milk", qty=Decimal("3.000"),
                  unit_price=Decimal("12.50"), amount=Decimal("37.50"),
                  discounts=[{"promotion": "p1", "amount": "2.50"}]),
    ]  # fmt: skip
    sale = sale_data(order, lines, AT)
    assert sale.sale_id == "order-OR-00000000AA"
    assert [(t.method, t.amount, t.reference, t.provider) for t in sale.tenders] == [
        ("online", Decimal("35.00"), "pay-1", "online")
    ]
    assert sale.lines[0].discounts[0].amount == Decimal("2.50")
    assert sale.model_extra == {"order_id": "OR-00000000AA", "channel": "web"}
