"""Kiosk-side returns: the sale a receipt names, the refund plan and its event, the money
back over the sale's own tenders; redemption limits; refund arithmetic properties."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import ReturnData, SaleData, Tender
from contracts.pricebook import PointsPolicy
from contracts.refunds import RefundError, RefundPlan
from kiosk.domain.returns import (
    RECEIPT_URL,
    Refund,
    TerminalLeg,
    plan_return,
    redeemable,
    return_event,
    sale_id_from,
    terminal_legs,
    with_refunds,
)
from kiosk.exceptions import ReturnError

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


# Reading a sale id back from a receipt QR or a typed sale number ----------------------


@pytest.mark.parametrize(
    ("text", "sale_id"),
    [
        (f"{RECEIPT_URL}K1-0001", "K1-0001"),
        (f" {RECEIPT_URL}K1-0001/?utm=x ", "K1-0001"),
        ("K1-0002\n", "K1-0002"),
    ],
)
def test_qr_or_number(text: str, sale_id: str) -> None:
    assert sale_id_from(text) == sale_id


@pytest.mark.parametrize("text", ["", "   ", RECEIPT_URL, "K1 0001", "K" * 201])
def test_not_a_receipt(text: str) -> None:
    with pytest.raises(ReturnError) as err:
        sale_id_from(text)
    assert err.value.code == "bad_receipt"


# Spreading a card/mobile refund over the sale's own tenders -----------------------------


TENDERS = [
    Tender(method="card", amount=D("30.00"), reference="T1"),
    Tender(method="cash", amount=D("5.00")),
    Tender(method="card", amount=D("20.00"), reference="T2"),
]


def test_fills_tenders_in_order() -> None:
    legs, left = terminal_legs("R1", "card", D("35.00"), TENDERS, {})
    assert legs == [
        TerminalLeg("R1-card-0", "T1", D("30.00")),
        TerminalLeg("R1-card-1", "T2", D("5.00")),
    ]
    assert left == 0


def test_skips_what_earlier_returns_took_and_keeps_the_tender_index() -> None:
    legs, left = terminal_legs("R2", "card", D("12.00"), TENDERS, {"T1": D("30.00")})
    assert legs == [TerminalLeg("R2-card-1", "T2", D("12.00"))]  # index 1: T1 still counts
    assert left == 0


def test_reports_what_no_tender_can_take() -> None:
    legs, left = terminal_legs("R3", "card", D("60.00"), TENDERS, {"T2": D("15.00")})
    assert [leg.amount for leg in legs] == [D("30.00"), D("5.00")]
    assert left == D("25.00")
    assert terminal_legs("R4", "mobile", D("1.00"), TENDERS, {}) == ([], D("1.00"))


@given(
    paid=st.lists(st.integers(1, 5000), min_size=1, max_size=4),
    taken=st.lists(st.integers(0, 5000), min_size=4, max_size=4),
    asked=st.integers(1, 20000),
)
def test_legs_never_exceed_room_and_account_for_the_amount(
    paid: list[int], taken: list[int], asked: int
) -> None:
    tenders = [
        Tender(method="mobile", amount=D(c) / 100, reference=f"M{i}") for i, c in enumerate(paid)
    ]
    before = {
        f"M{i}": D(min(t, c)) / 100 for i, (t, c) in enumerate(zip(taken, paid, strict=False))
    }
    amount = D(asked) / 100
    legs, left = terminal_legs("R", "mobile", amount, tenders, before)
    room = {t.reference: t.amount - before[t.reference] for t in tenders}
    assert all(0 < leg.amount <= room[leg.original] for leg in legs)
    assert left >= 0
    assert sum((leg.amount for leg in legs), D(0)) + left == amount
    assert left == 0 or all(leg.amount == room[leg.original] for leg in legs)


def test_event_carries_the_refunds_paid_without_originals() -> None:
    event = ReturnData(
        return_id="R1",
        sale_id="S1",
        completed_at=datetime(2025, 3, 14, 10, tzinfo=UTC),
        reason="faulty",
        refund_total=D("12.00"),
        lines=[{"line_no": 1, "qty": D(1)}],  # type: ignore[list-item]
    )
    plan = RefundPlan(
        lines=(), total=D("12.00"), tax=D(0), discount=D(0), tenders=(), points_reversed=12
    )
    refunds = [
        Refund("card", D("7.00"), "R1-card-0", "T1", "alipay"),
        Refund("cash", D("5.00"), "acceptor"),
    ]
    published = with_refunds(event, plan, refunds).model_dump(mode="json")
    assert published["refunds"] == [
        {"method": "card", "amount": "7.00", "reference": "R1-card-0", "provider": "alipay"},
        {"method": "cash", "amount": "5.00", "reference": "acceptor", "provider": "cash"},
    ]
    assert published["points_reversed_estimate"] == 12
    assert published["return_id"] == "R1"
    assert published["lines"][0]["line_no"] == 1
