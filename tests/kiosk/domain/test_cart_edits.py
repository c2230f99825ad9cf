"""Changing the cart: quantities, removal before and after bagging, void, price override."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from contracts.messages import VoidData
from kiosk.domain.checkout import Checkout
from kiosk.exceptions import CheckoutError, UnknownCode
from tests.kiosk.books import APPLES, BREAD, MILK, NOW
from tests.kiosk.domain.shopper import add


def test_quantity_changes_in_whole_units(co: Checkout) -> None:
    line = add(co, BREAD)
    co.set_qty(line, D(5))
    assert co.cart.lines[0].qty == 5
    with pytest.raises(CheckoutError):
        co.set_qty(line, D("1.5"))
    weighed = add(co, APPLES, weight_kg=D("0.5"))
    with pytest.raises(CheckoutError) as err:
        co.set_qty(weighed, D(2))
    assert err.value.code == "fixed_qty"
    with pytest.raises(UnknownCode):
        co.set_qty("L99", D(1))
    co.set_qty(line, D(0))
    assert [ln.sku for ln in co.cart.lines] == ["apples"]


def test_fewer_than_bagged_needs_an_attendant(co: Checkout) -> None:
    line = add(co, BREAD)
    co.set_qty(line, D(2))
    co.on_weight(D(800))
    co.set_qty(line, D(1))
    assert co.open_interventions[0].kind == "void_after_bagging"
    assert co.cart.lines[0].qty == 2
    co.clear(None, "anna", "pin")
    assert co.cart.lines[0].qty == 1
    assert co.on_weight(D(400)) == "removal_done"


def test_remove_before_bagging_is_free_after_bagging_needs_attendant(co: Checkout) -> None:
    milk = add(co, MILK)
    co.remove_line(milk)
    assert co.cart.empty
    assert not co.blocked
    milk = add(co, MILK)
    co.on_weight(D(1040))
    co.remove_line(milk)
    assert co.blocked
    assert co.open_interventions[0].kind == "void_after_bagging"
    assert len(co.cart.lines) == 1
    co.clear(None, "anna", "badge")
    assert co.cart.empty
    kinds = [e for e, _ in co.drain()]
    assert "void" in kinds
    # the shopper takes the milk out of the bag: an expected removal, not an intervention
    assert co.on_weight(D(0)) == "removal_done"
    assert not co.blocked


def test_price_override_goes_through_an_attendant(co: Checkout) -> None:
    line = add(co, BREAD)
    co.request_price_override(line, D("5.00"))
    assert co.priced().total == D("12.00")
    co.clear(None, "anna", "pin")
    assert co.priced().total == D("5.00")


def test_void_cart_needs_attendant_after_bagging(co: Checkout) -> None:
    add(co, MILK)
    co.on_weight(D(1040))
    co.void_cart()
    assert co.blocked
    co.clear(None, "anna", "pin")
    assert co.cart.empty
    assert co.phase == "idle"
    assert co.clock() == NOW


def test_void_before_bagging_reports_the_cart_total(co: Checkout) -> None:
    cart_id = co.cart.cart_id
    add(co, BREAD)
    co.void_cart()
    assert not co.blocked
    assert co.cart.empty
    assert co.cart.cart_id != cart_id
    (event, void), *_ = co.drain()
    assert event == "void"
    assert isinstance(void, VoidData)
    assert void.amount == D("12.00")
    assert void.approved_by is None
