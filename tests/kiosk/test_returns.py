"""Kiosk-side returns and redemption limits; refund arithmetic properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import SaleData
from contracts.pricebook import PointsPolicy
from contracts.refunds import RefundError
from kiosk.domain.returns import plan_return, redeemable, return_event

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


def sale(prices: list[int], basket_discount: int = 0, points: int = 0) -> SaleData:
    lines = [
        {
            "gtin": f"{i:014d}",
            "name": f"I{i}",
            "qty": "2",
            "unit_price": f"{p}.00",
            "amount": f"{2 * p}.00",
        }
        for i, p in enumerate(prices)
    ]
    subtotal = Decimal(sum(2 * p for p in prices))
    total = subtotal - basket_discount
    tenders = []
    if points:
        tenders.append({"method": "points", "amount": str(Decimal(points) / 100)})
    tenders.append({"method": "cash", "amount": str(total - Decimal(points) / 100 + 3)})
    return SaleData.model_validate(
        {
            "sale_id": "K-1",
            "completed_at": NOW.isoformat(),
            "currency": "CNY",
            "lines": lines,
            "subtotal": str(subtotal),
            "discount_total": f"{basket_discount}.00",
            "tax_total": str((total * Decimal("0.13") / Decimal("1.13")).quantize(Decimal("0.01"))),
            "total": str(total),
            "tenders": tenders,
            "change": "3.00",
        }
    )


def test_offline_limit_and_online_balance() -> None:
    policy = PointsPolicy(offline_redeem_limit=500)
    assert redeemable(policy, 500, None) == 500
    with pytest.raises(ValueError, match="offline limit"):
        redeemable(policy, 501, None)
    assert redeemable(policy, 900, 1000) == 900  # online: the balance decides
    with pytest.raises(ValueError, match="balance"):
        redeemable(policy, 300, 120)


def test_return_event_and_refusal() -> None:
    s = sale([10, 11, 12, 13, 14], basket_discount=6, points=200)
    plan = plan_return(s, {2: Decimal(2), 4: Decimal(2)})
    event = return_event(
        s,
        plan,
        reason="faulty",
        attendant="att",
        clock=lambda: NOW,
        new_id=lambda: "R-1",
        damaged=frozenset({4}),
    )
    assert event.refund_total == plan.total == sum(x.amount for x in plan.lines)
    assert [ln.disposition for ln in event.lines] == ["restock", "damaged"]
    assert dict(plan.tenders)["cash"] == plan.total  # money first, points only beyond it
    with pytest.raises(RefundError):
        plan_return(s, {2: Decimal(1)}, returned_before={2: Decimal(2)})
    with pytest.raises(RefundError):
        plan_return(s, {9: Decimal(1)})


@given(
    prices=st.lists(st.integers(1, 500), min_size=1, max_size=6),
    discount=st.integers(0, 5),
    points=st.integers(0, 300),
    steps=st.integers(1, 3),
)
def test_returning_everything_in_steps_refunds_exactly_the_total(
    prices: list[int], discount: int, points: int, steps: int
) -> None:
    discount = min(discount, 2 * sum(prices))  # a discount never exceeds the basket
    s = sale(
        prices, basket_discount=discount, points=min(points, 100 * (2 * sum(prices) - discount))
    )
    returned: dict[int, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    total = Decimal(0)
    tax = Decimal(0)
    for step in range(steps):
        last = step == steps - 1
        wanted = {
            no: Decimal(2) - returned.get(no, Decimal(0)) if last else Decimal(1) / steps
            for no in range(1, len(prices) + 1)
        }
        wanted = {k: v for k, v in wanted.items() if v > 0}
        plan = plan_return(s, wanted, returned, refunded)
        assert all(x.amount >= 0 for x in plan.lines)
        for x in plan.lines:
            returned[x.line_no] = returned.get(x.line_no, Decimal(0)) + x.qty
        for method, amount in plan.tenders:
            refunded[method] = refunded.get(method, Decimal(0)) + amount
        total += plan.total
        tax += plan.tax
    assert total == s.total
    assert tax == s.tax_total
    assert plan.full
