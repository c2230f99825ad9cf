"""The session: the pure checkout behind one lock, saved after every change, told to the screen.

Every part of the shell acts through it: under :attr:`Session.lock` it changes the checkout,
then :meth:`Session.commit` writes the checkout snapshot and the events the change produced in
one outbox transaction, then :meth:`Session.notify` tells the screen. Slow device calls (the
payment adapter, the printer, the cloud) run outside the lock so the screen stays live.

A paid cart becomes a sale here (:meth:`Session.complete_if_paid`); parts that act on a new
sale (printing) subscribe with :meth:`Session.on_sale` when they are built.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from contracts.messages import SaleData
from kiosk.domain.checkout import Checkout
from kiosk.domain.payment import PaymentAttempt
from kiosk.exceptions import KioskError
from kiosk.shell.store import KioskStore, Suspension

__all__ = ["Message", "PinCheck", "Screen", "Session"]

log = logging.getLogger(__name__)
T = TypeVar("T")

PinCheck = Callable[[str, Literal["pin", "badge"]], str | None]
"""The attendant id a PIN or badge belongs to, or None."""


@dataclass
class Message:
    code: str
    text: str


@dataclass
class Screen:
    """What the screen shows besides the checkout; changed under the session's lock."""

    store_name: str = "smartstore"
    language: str = "en"
    message: Message | None = None
    """Why the last action was refused (a stable ``code`` the page translates)."""
    suspend_code: str | None = None
    qr_payload: str | None = None
    """The merchant QR waiting to be paid."""
    receipt_link: Callable[[str], str] | None = None
    """Sale id → e-receipt URL (``receipts:`` of the config); None: not configured."""


class Session:
    def __init__(self, checkout: Checkout, store: KioskStore, screen: Screen) -> None:
        self.co = checkout
        self.store = store
        self.screen = screen
        self.lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self._sale_listeners: list[Callable[[SaleData], None]] = []

    # Listeners ----------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> None:
        """The screen (each open page) wants to hear of every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("UI listener failed")

    def on_sale(self, listener: Callable[[SaleData], None]) -> None:
        """``listener`` gets each sale once it is written (called under the lock: be quick)."""
        self._sale_listeners.append(listener)

    # Changing the checkout ------------------------------------------------------------------

    def commit(
        self,
        attempts: list[PaymentAttempt] | None = None,
        sale: SaleData | None = None,
        suspend: Suspension | None = None,
        resumed_code: str | None = None,
    ) -> None:
        """Write the snapshot and the events since the last commit together (call under the
        lock); the phase changes go to the debug log."""
        events = self.co.drain()
        if sale is not None:
            events.append(("sale", sale))
        for move in self.co.drain_moves():
            if move.before != move.after:
                log.debug("phase %s -%s-> %s", move.before, move.event, move.after)
        self.store.commit(
            self.co.snapshot(),
            events,
            attempts=attempts or [],
            sale=sale,
            suspend=suspend,
            resumed_code=resumed_code,
        )

    def act(self, fn: Callable[[], T]) -> T:
        """Run one shopper/attendant action: lock, change, save, notify; errors → message."""
        with self.lock:
            self.screen.message = None
            try:
                result = fn()
            except KioskError as exc:
                self.show_error(exc)
                self.commit()  # failures may have raised an intervention
                self.notify()
                raise
            self.commit()
        self.notify()
        return result

    def show_error(self, exc: KioskError) -> None:
        """Put a refused action's reason on the screen (call under the lock)."""
        self.screen.message = Message(exc.code, str(exc))

    def complete_if_paid(self) -> SaleData | None:
        """Call under the lock. A fully paid cart becomes a sale, written with its outbox row;
        then the sale listeners hear of it (the receipt prints off the lock)."""
        if not self.co.fully_paid():
            return None
        sale = self.co.complete()
        self.commit(sale=sale)
        self.screen.qr_payload = None
        for listener in list(self._sale_listeners):
            try:
                listener(sale)
            except Exception:
                log.exception("sale listener failed on %s", sale.sale_id)
        return sale
