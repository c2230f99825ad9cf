"""The suspending part: a cart parked (挂单) under a six-digit code, taken back later on this
kiosk.

The parked snapshot and the cleared checkout are written in one store ``commit`` (one outbox
transaction), so a restart never finds the cart both parked and on screen.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from kiosk.exceptions import CheckoutError, KioskError
from kiosk.shell.session import Session
from kiosk.shell.store import Suspension


def new_suspend_code(
    in_use: Callable[[str], bool], draw: Callable[[int], int] = secrets.randbelow
) -> str:
    """A random six-digit code no parked cart holds; gives up after 100 draws."""
    for _ in range(100):
        code = f"{draw(1_000_000):06d}"
        if not in_use(code):
            return code
    raise CheckoutError("no free suspend code", "store_error")


class Suspending:
    def __init__(self, session: Session) -> None:
        self.session = session

    def suspend(self) -> str:
        """Park the open cart; the code is shown to the shopper."""
        session = self.session
        with session.lock:
            code = new_suspend_code(session.store.code_in_use)
            cart_id = session.co.cart.cart_id
            try:
                snapshot = session.co.suspend()
            except KioskError as exc:
                session.show_error(exc)
                session.notify()
                raise
            session.commit(suspend=Suspension(code, cart_id, snapshot))
            session.screen.suspend_code = code
        session.notify()
        return code

    def resume(self, code: str) -> None:
        """Take a parked cart back; a wrong code is a failure (too many in a row call an
        attendant)."""
        session = self.session
        with session.lock:
            try:
                parked = session.store.suspended(code)
                session.co.resume(parked.snapshot)
            except KioskError as exc:
                session.show_error(exc)
                session.co.record_failure("resume")
                session.commit()
                session.notify()
                raise
            session.screen.suspend_code = None
            session.commit(resumed_code=parked.code)
        session.notify()
