"""Payment steps: cash with change, split tender, change an attendant pays, late approvals."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from kiosk.domain.checkout import Checkout
from tests.kiosk.books import BAG, BREAD
from tests.kiosk.domain.shopper import add


def test_cash_with_change_and_split_tender(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BAG)
    co.on_weight(D(400))
    co.start_payment()
    assert co.insert_cash(D(5)) == 0
    co.begin_attempt("card", "r1")  # the 5.00 cash becomes a tender first
    co.attempt_result("r1", "declined")
    co.begin_attempt("card", "r2", amount=D("3.00"))
    co.attempt_result("r2", "approved")
    assert co.insert_cash(D(10)) == D("5.50")
    co.settle_cash(dispensed=True)
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
    co.insert_cash(D(1))
    co.settle_cash(dispensed=False)
    assert co.open_interventions[0].kind == "cash_dispense"
    co.clear(None, "anna", "pin")
    assert co.fully_paid()
    assert co.complete().change == D("0.50")


def test_late_duplicate_approval_never_adds_a_second_tender(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    co.begin_attempt("card", "r1")
    co.attempt_result("r1", "approved")
    co.attempt_result("r1", "approved")
    assert len(co.ledger.tenders) == 1
