"""Spreading a card/mobile refund over the sale's own tenders; the published return event."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from hypothesis import given
from hypothesis import strategies as st

from contracts.messages import ReturnData, Tender
from contracts.refunds import RefundPlan
from kiosk.refund_payout import Refund, TerminalLeg, terminal_legs, with_refunds

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
    refunds = [Refund("card", D("7.00"), "R1-card-0", "T1"), Refund("cash", D("5.00"), "acceptor")]
    published = with_refunds(event, plan, refunds).model_dump(mode="json")
    assert published["refunds"] == [
        {"method": "card", "amount": "7.00", "reference": "R1-card-0"},
        {"method": "cash", "amount": "5.00", "reference": "acceptor"},
    ]
    assert published["points_reversed_estimate"] == 12
    assert published["return_id"] == "R1"
    assert published["lines"][0]["line_no"] == 1
