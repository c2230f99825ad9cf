"""Members, coupons and points: what they change, and that they freeze once money moves."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from kiosk.domain.checkout import Checkout
from kiosk.exceptions import CheckoutError, ItemRejected
from tests.kiosk.books import BAG, BREAD
from tests.kiosk.domain.shopper import add


def test_member_coupon_points(co: Checkout) -> None:
    add(co, BREAD)
    co.on_weight(D(400))
    with pytest.raises(CheckoutError):
        co.redeem_points(100)
    co.attach_member("phone", "13800138000")
    assert co.priced().total == D("10.00")  # member price
    co.add_coupon("CP10-XYZ")
    assert co.priced().total == D("9.00")
    with pytest.raises(CheckoutError):
        co.redeem_points(501)  # offline limit
    co.redeem_points(200)
    co.start_payment()
    assert co.due() == D("7.00")
    co.begin_attempt("card", "r1")
    co.attempt_result("r1", "approved")
    sale = co.complete()
    assert sale.member is not None
    assert sale.model_dump()["member"] == {"phone": "13800138000"}
    assert [(t.method, t.amount) for t in sale.tenders] == [("points", D(2)), ("card", D(7))]
    with pytest.raises(CheckoutError):
        co.attach_member("phone", "12ab")


def test_bad_coupon_is_refused(co: Checkout) -> None:
    add(co, BAG)
    with pytest.raises(ItemRejected):
        co.add_coupon("NOPE")


def test_member_values_are_normalised_and_a_coupon_counts_once(co: Checkout) -> None:
    co.attach_member("card", " MC 1234 ")
    assert co.cart.member is not None
    assert co.cart.member.value == "MC1234"
    add(co, BREAD)
    co.add_coupon(" CP10-A")
    co.add_coupon("CP10-A")
    assert co.cart.coupons == ["CP10-A"]


def test_a_known_balance_limits_points_instead_of_the_offline_limit(co: Checkout) -> None:
    add(co, BREAD)
    co.attach_member("phone", "13800138000")
    assert co.cart.member is not None
    co.cart.member.balance = 50  # the cloud answered the lookup
    with pytest.raises(CheckoutError) as err:
        co.redeem_points(60)
    assert err.value.code == "points_balance"
    co.redeem_points(50)
    assert co.cart.points == 50


def test_loyalty_is_frozen_once_payment_started(co: Checkout) -> None:
    add(co, BAG)
    co.start_payment()
    co.insert_cash(D("0.20"))
    with pytest.raises(CheckoutError, match="payment started"):
        co.attach_member("phone", "13800138000")
    with pytest.raises(CheckoutError, match="payment started"):
        co.add_coupon("CP10-A")
    with pytest.raises(CheckoutError, match="payment started"):
        co.redeem_points(1)
