"""Suspend and resume: a cart parked under a six-digit code, taken back later on this kiosk.

The parked snapshot and the cleared checkout are written in one store ``commit`` (one outbox
transaction), so a restart never finds the cart both parked and on screen.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.exceptions import CheckoutError, KioskError
from kiosk.store import Suspension

if TYPE_CHECKING:
    from kiosk.controller import KioskController


def new_suspend_code(
    in_use: Callable[[str], bool], draw: Callable[[int], int] = secrets.randbelow
) -> str:
    """A random six-digit code no parked cart holds; gives up after 100 draws."""
    for _ in range(100):
        code = f"{draw(1_000_000):06d}"
        if not in_use(code):
            return code
    raise CheckoutError("no free suspend code", "store_error")


def suspend(ctl: KioskController) -> str:
    """Park the open cart; the code is shown to the shopper."""
    with ctl.lock:
        code = new_suspend_code(ctl.store.code_in_use)
        cart_id = ctl.co.cart.cart_id
        try:
            snapshot = ctl.co.suspend()
        except KioskError as exc:
            ctl.show_error(exc)
            ctl.notify()
            raise
        ctl.commit(suspend=Suspension(code, cart_id, snapshot))
        ctl.suspend_code = code
    ctl.notify()
    return code


def resume(ctl: KioskController, code: str) -> None:
    """Take a parked cart back; a wrong code is a failure (too many in a row call an attendant)."""
    with ctl.lock:
        try:
            parked = ctl.store.suspended(code)
            ctl.co.resume(parked.snapshot)
        except KioskError as exc:
            ctl.show_error(exc)
            ctl.co.record_failure("resume")
            ctl.commit()
            ctl.notify()
            raise
        ctl.suspend_code = None
        ctl.commit(resumed_code=parked.code)
    ctl.notify()
