"""Parking a cart (suspend, resume) and the whole-machine snapshot for crash recovery."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from kiosk.domain.checkout import Checkout
from kiosk.exceptions import ItemRejected, UnknownCode
from tests.kiosk.books import BAG, BEER, BREAD, Clock, demo_book, ids
from tests.kiosk.domain.shopper import add


def test_suspend_and_resume(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BAG)
    co.attach_member("card", "MC-1234")
    snapshot = co.suspend()
    assert co.phase == "idle"
    assert co.cart.empty
    co.resume(snapshot)
    assert co.phase == "scanning"
    assert [ln.sku for ln in co.cart.lines] == ["bread", "bag"]
    assert co.cart.member is not None
    assert co.cart.member.value == "MC-1234"
    with pytest.raises(UnknownCode):
        Checkout(demo_book(), Clock(), ids()).resume({"nonsense": 1})


def test_resume_refuses_products_no_longer_sold(co: Checkout) -> None:
    add(co, BREAD)
    snapshot = co.suspend()
    without_bread = demo_book(version=2).model_copy(
        update={"products": [p for p in demo_book().products if p.sku != "bread"]}
    )
    assert co.offer_book(without_bread)
    with pytest.raises(ItemRejected) as err:
        co.resume(snapshot)
    assert err.value.code == "unknown_item"
    assert co.cart.empty


def test_snapshot_round_trip_mid_payment(co: Checkout) -> None:
    add(co, BREAD)
    co.on_weight(D(400))
    co.start_payment()
    co.begin_attempt("card", "r1")
    other = Checkout(demo_book(), Clock(), ids())
    other.restore(co.snapshot())
    assert other.phase == "paying"
    attempt = other.ledger.open_attempt()
    assert attempt is not None
    assert attempt.reference == "r1"
    assert other.cart.lines[0].bagged_qty == 1


def test_snapshot_keeps_interventions_lock_and_book_version(co: Checkout) -> None:
    add(co, BEER)
    co.lock()  # the cart is open: the lock waits for its end
    data = co.snapshot()
    assert data["book_version"] == 1
    other = Checkout(demo_book(), Clock(), ids())
    other.restore(data)
    assert [i.kind for i in other.open_interventions] == ["age_restricted"]
    assert other.lock_requested
    assert other.snapshot() == data
