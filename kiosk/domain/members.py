"""Members at the kiosk: attach a member, add coupons, redeem points, all before payment
starts (they change what is due).

Steps of a :class:`~kiosk.domain.checkout.Checkout`: they edit the cart and return a
:class:`~kiosk.domain.transitions.Change` for the machine to apply. Pure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from kiosk.domain.cart import Member
from kiosk.domain.transitions import Change
from kiosk.exceptions import CheckoutError, ItemRejected

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout

PHONE_RE = re.compile(r"^\+?\d{5,20}$")
CARD_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")


def attach_member(co: Checkout, kind: Literal["phone", "card"], value: str) -> Change:
    co.guard("member")
    co.require_unpaid()
    value = value.strip().replace(" ", "")
    pattern = PHONE_RE if kind == "phone" else CARD_RE
    if not pattern.match(value):
        raise CheckoutError(f"not a valid member {kind}", "bad_member")
    co.cart.member = Member(kind, value)
    return Change(event="member")


def add_coupon(co: Checkout, code: str) -> Change:
    """Only codes matching one of the price book's coupon prefixes; repeats count once."""
    co.guard("coupon")
    co.require_unpaid()
    code = code.strip()
    if not any(code.startswith(rule.prefix) for rule in co.book.coupons):
        return Change(failure="coupon", refuse=ItemRejected("unknown coupon", "bad_coupon"))
    if code not in co.cart.coupons:
        co.cart.coupons.append(code)
    return Change(event="coupon")


def redeem_points(co: Checkout, points: int) -> Change:
    """Points are a tender; offline the kiosk honours at most the policy's limit."""
    co.guard("points")
    co.require_unpaid()
    if co.cart.member is None:
        raise CheckoutError("attach a member first", "needs_member")
    balance = co.cart.member.balance  # known when the cloud answered the lookup
    limit = co.book.points.offline_redeem_limit if balance is None else balance
    if points < 0 or points > limit:
        if balance is None:
            raise CheckoutError(f"at most {limit} points offline", "points_limit")
        raise CheckoutError(f"at most {limit} points (balance)", "points_balance")
    co.cart.points = points
    return Change(event="points")
