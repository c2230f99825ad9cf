"""The checkout state machine: phases, payment gates, failures, price book boundary, lock."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from kiosk.domain.checkout import Checkout
from kiosk.exceptions import CheckoutError
from tests.kiosk.books import BAG, BEER, MILK, demo_book
from tests.kiosk.domain.shopper import add


def test_happy_path_card_then_receipt(co: Checkout) -> None:
    assert co.phase == "idle"
    add(co, MILK)
    assert co.phase == "scanning"
    assert co.on_weight(D("1041.5")) == "bagged"
    co.start_payment()
    co.begin_attempt("card", "ref-1")
    co.attempt_result("ref-1", "approved", "A1")
    assert co.fully_paid()
    sale = co.complete()
    assert co.phase == "receipt"
    assert sale.total == D("6.50")
    assert [t.method for t in sale.tenders] == ["card"]
    assert sale.tenders[0].reference == "ref-1"
    co.finish()
    assert co.phase == "done"
    add(co, BAG)  # the next shopper starts a fresh cart
    assert co.phase == "scanning"
    assert len(co.cart.lines) == 1


def test_no_weight_check_items_skip_the_scale(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()  # nothing to bag
    assert co.phase == "paying"


def test_pay_needs_bagging_and_items(co: Checkout) -> None:
    with pytest.raises(CheckoutError):
        co.start_payment()
    add(co, MILK)
    with pytest.raises(CheckoutError) as err:
        co.start_payment()
    assert err.value.code == "needs_bagging"


def test_payment_can_be_cancelled_only_before_money_moves(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    co.cancel_payment()
    assert co.phase == "scanning"
    co.start_payment()
    co.insert_cash(D("0.20"))
    with pytest.raises(CheckoutError) as err:
        co.cancel_payment()
    assert err.value.code == "payment_started"
    assert co.phase == "paying"


def test_repeated_failures_raise_an_intervention(co: Checkout) -> None:
    for _ in range(3):
        co.record_failure("unknown item")
    assert [i.kind for i in co.open_interventions] == ["repeated_failures"]


def test_failures_while_blocked_keep_counting_for_after_the_clear(co: Checkout) -> None:
    add(co, BEER)
    for reason in ("a", "b", "c"):
        co.record_failure(reason)
    assert [i.kind for i in co.open_interventions] == ["age_restricted"]
    co.clear(None, "anna", "pin")
    co.record_failure("d")
    assert [i.kind for i in co.open_interventions] == ["repeated_failures"]
    assert co.failures == 0


def test_price_book_applies_at_cart_boundary(co: Checkout) -> None:
    add(co, BAG)
    newer = demo_book(version=2).model_copy(
        update={
            "products": [
                p.model_copy(update={"price": D("0.80")}) if p.sku == "bag" else p
                for p in demo_book().products
            ]
        }
    )
    assert co.offer_book(newer)
    assert co.priced().total == D("0.50")  # not mid-cart
    co.start_payment()
    co.insert_cash(D("0.5"))
    co.settle_cash(dispensed=True)
    co.complete()
    co.finish()
    co.new_cart()
    add(co, BAG)
    assert co.priced().total == D("0.80")
    assert not co.offer_book(demo_book(version=1))


def test_lock_and_unlock(co: Checkout) -> None:
    co.lock()
    assert co.phase == "locked"
    with pytest.raises(CheckoutError):
        add(co, BAG)
    co.unlock()
    assert co.phase == "idle"
