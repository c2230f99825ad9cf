"""Payment steps: cash with change, split tender, change an attendant pays, late approvals."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from kiosk.domain import payflow
from kiosk.domain.checkout import Checkout
from tests.kiosk.books import BAG, BREAD
from tests.kiosk.domain.shopper import add


def test_cash_with_change_and_split_tender(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BAG)
    co.on_weight(D(400))
    co.start_payment()
    assert payflow.insert_cash(co, D(5)) == 0
    payflow.begin_attempt(co, "card", "r1")  # the 5.00 cash becomes a tender first
    payflow.attempt_result(co, "r1", "declined")
    payflow.begin_attempt(co, "card", "r2", amount=D("3.00"))
    payflow.attempt_result(co, "r2", "approved")
    assert payflow.insert_cash(co, D(10)) == D("5.50")
    payflow.settle_cash(co, dispensed=True)
    sale = co.complete()
    assert sale.change == D("5.50")
    assert [(t.method, t.amount) for t in sale.tenders] == [
        ("cash", D(5)),
        ("card", D(3)),
        ("cash", D(10)),
    ]


def test_change_not_dispensed_calls_attendant_then_completes(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    payflow.insert_cash(co, D(1))
    payflow.settle_cash(co, dispensed=False)
    assert co.open_interventions[0].kind == "cash_dispense"
    co.clear(None, "anna", "pin")
    assert payflow.fully_paid(co)
    assert co.complete().change == D("0.50")


def test_late_duplicate_approval_never_adds_a_second_tender(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    payflow.begin_attempt(co, "card", "r1")
    payflow.attempt_result(co, "r1", "approved")
    payflow.attempt_result(co, "r1", "approved")
    assert len(co.ledger.tenders) == 1
