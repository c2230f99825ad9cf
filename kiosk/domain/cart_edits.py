"""Changing the cart after a scan: quantity, removal, cancelling the whole cart, asking for a
price override. Anything already in the bagging area needs an attendant to take it back.

Steps of a :class:`~kiosk.domain.checkout.Checkout`: they edit the cart and return a
:class:`~kiosk.domain.transitions.Change` for the machine to apply. Pure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from contracts.messages import VoidData
from kiosk.domain.cart import CartLine
from kiosk.domain.transitions import AttendantCall, Change
from kiosk.exceptions import CheckoutError, UnknownCode

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


def set_qty(co: Checkout, line_id: str, qty: Decimal) -> Change:
    """Whole units only; fewer than are already bagged needs an attendant."""
    co.guard("edit")
    line = _line(co, line_id)
    if line.weighed or line.price_override is not None:
        raise CheckoutError("weighed or priced items have a fixed quantity", "fixed_qty")
    if qty != qty.to_integral_value() or qty < 0 or qty > 999:
        raise CheckoutError("quantity must be a whole number 0–999", "bad_qty")
    if qty == 0:
        return remove_line(co, line_id)
    if qty < line.bagged_qty:
        call = AttendantCall(
            "void_after_bagging",
            f"{line.name}: {line.qty} → {qty}",
            {"op": "qty", "line_id": line_id, "qty": format(qty, "f")},
        )
        return Change(event="edit", calls=(call,))
    line.qty = qty
    return Change(event="edit")


def remove_line(co: Checkout, line_id: str) -> Change:
    co.guard("edit")
    line = _line(co, line_id)
    if line.any_bagged:
        action = {"op": "qty", "line_id": line_id, "qty": "0"}
        return Change(event="edit", calls=(AttendantCall("void_after_bagging", line.name, action),))
    drop_line(co, line, Decimal(0), approved_by=None)
    return Change(event="edit")


def drop_line(co: Checkout, line: CartLine, new_qty: Decimal, approved_by: str | None) -> Change:
    """Cut a line to ``new_qty`` (0 removes it); bagged units leaving the bag are expected by
    the scale. An attendant's approval is reported as a void event.
    """
    removed = line.qty - new_qty
    if line.any_bagged and line.unit_grams is not None and line.check_weight:
        bagged_removed = max(Decimal(0), line.bagged_qty - new_qty)
        co.bagging.pending_removal_g += bagged_removed * line.unit_grams
        line.bagged_qty = min(line.bagged_qty, new_qty)
    if new_qty == 0:
        co.cart.lines.remove(line)
    else:
        line.qty = new_qty
    if approved_by is None:
        return Change()
    void = VoidData(
        cart_id=co.cart.cart_id,
        reason="line removed after bagging",
        lines=[],
        amount=Decimal(0),
        approved_by=approved_by,
        sku=line.sku,
        qty=format(removed, "f"),
    )
    return Change(emit=(("void", void),))


def void_cart(co: Checkout, approved_by: str | None = None) -> Change:
    """Cancel the whole cart; needs an attendant once anything was bagged."""
    co.require_unpaid()
    if any(ln.any_bagged for ln in co.cart.lines) and approved_by is None:
        co.guard("edit")
        call = AttendantCall("void_after_bagging", "whole cart", {"op": "void_cart"})
        return Change(event="edit", calls=(call,))
    co.guard("void")
    emit: tuple[tuple[str, VoidData], ...] = ()
    if not co.cart.empty:
        void = VoidData(
            cart_id=co.cart.cart_id,
            reason="cart cancelled",
            amount=co.priced().total,
            approved_by=approved_by,
        )
        emit = (("void", void),)
    for line in list(co.cart.lines):
        drop_line(co, line, Decimal(0), approved_by=None)
    return Change(event="void", emit=emit)


def request_price_override(co: Checkout, line_id: str, unit_price: Decimal) -> Change:
    """The new price applies only when an attendant approves it."""
    co.guard("edit")
    line = _line(co, line_id)
    if unit_price < 0:
        raise CheckoutError("price cannot be negative", "bad_price")
    call = AttendantCall(
        "price_override",
        f"{line.name} → {unit_price}",
        {"op": "price", "line_id": line_id, "price": format(unit_price, "f")},
    )
    return Change(event="edit", calls=(call,))


def _line(co: Checkout, line_id: str) -> CartLine:
    line = co.cart.line(line_id)
    if line is None:
        raise UnknownCode(f"no line {line_id}")
    return line
