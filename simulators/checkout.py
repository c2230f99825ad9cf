"""One simulated shopper at a simulated kiosk, through the kiosk's own parts.

Items are shown to the kiosk's camera (real barcode frames through the real scanner
pipeline); a label that does not scan is typed in by its code. The bagging scale places
each item automatically (``auto_bag``), an attendant clears interventions with a badge,
and the payment runs through the payment simulator or the cash acceptor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kiosk.exceptions import KioskError
from kiosk.payment.cash import FakeCashAcceptor
from kiosk.shell.parts import Parts
from kiosk.shell.session import Session
from simulators.devices.camera import FrameCache
from simulators.nodes import ATTENDANT_BADGE, SimKiosk
from simulators.shoppers import Item, ShopperPlan

log = logging.getLogger(__name__)

NOTES = [Decimal(v) for v in ("1", "5", "10", "20", "50", "100")]


class KioskDown(Exception):
    """The kiosk crashed under the shopper; they wait for it and carry on."""


def wait_for(pred: Callable[[], Any], timeout: float, stop: threading.Event) -> Any:
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        stop.wait(0.03)
    return None


class Shopper:
    def __init__(
        self,
        kiosk: SimKiosk,
        plan: ShopperPlan,
        frames: FrameCache,
        stop: threading.Event,
        attendant_wait_s: float,
        stats: dict[str, int],
    ) -> None:
        self.k = kiosk
        self.plan = plan
        self.frames = frames
        self.stop = stop
        self.attendant_wait_s = attendant_wait_s
        self.stats = stats
        self.scanned = 0

    def _parts(self) -> Parts:
        if not self.k.up.is_set() or self.k.node is None:
            raise KioskDown
        return self.k.parts

    def _session(self) -> Session:
        return self._parts().session

    def _cart(self) -> tuple[str | None, Decimal]:
        """(open cart id, units in it); (None, 0) while the last sale's goodbye screen shows.

        After ``finish`` the kiosk keeps the previous shopper's lines on screen ("done") and
        the next scan starts a new cart. Comparing units against that old cart missed every
        first item of a shopper (docs/simulators.md, "Camera scans").
        """
        session = self._session()
        with session.lock:
            if session.co.phase in ("receipt", "done"):
                return None, Decimal(0)
            units = sum((ln.qty for ln in session.co.cart.lines), Decimal(0))
            return str(session.co.cart.cart_id), units

    def _added_since(self, before: tuple[str | None, Decimal]) -> bool:
        cart_id, units = self._cart()
        return cart_id is not None and (cart_id != before[0] or units > before[1])

    def _count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    # Whole visit -------------------------------------------------------------------------

    def checkout(self) -> bool:
        """True when the shopper left with a completed sale."""
        for _ in range(4):
            try:
                self.tidy()
                if self.scanned < len(self._items()):
                    self._scan_all()
                self._pay()
                self._finish()
                return True
            except KioskDown:
                self._count("interrupted_by_crash")
                if not wait_for(self.k.up.is_set, 120.0, self.stop):
                    return False
            except KioskError as exc:
                log.info("shopper %d: %s (%s)", self.plan.shopper_id, exc, exc.code)
                self._count(f"error_{exc.code}")
                if self.stop.is_set():
                    return False
        self._count("gave_up")
        return False

    def _items(self) -> list[Item]:
        items = list(self.plan.items)
        if self.plan.restricted is not None:
            items.append(self.plan.restricted)
        return items

    def tidy(self) -> None:
        """Before (or back at) the kiosk: end the last shopper's screen, call the attendant."""
        session = self._session()
        self.attend()
        if session.co.phase == "receipt" and self.scanned == 0:
            session.act(session.co.finish)
        elif session.co.phase == "locked":
            session.act(session.co.unlock)
        elif self.scanned == 0 and not session.co.cart.empty and not session.co.ledger.started:
            session.act(
                lambda: session.co.void_cart(approved_by="sim-attendant")
            )  # left by a quitter
            self._count("carts_voided")

    def attend(self) -> None:
        session = self._session()
        if not session.co.blocked:
            return
        self.stop.wait(self.attendant_wait_s)
        session = self._session()
        for intervention in list(session.co.open_interventions):
            if intervention.kind == "printer_fault":
                self._count("printer_faults_cleared")
            self._parts().attendant.clear_with_secret(
                ATTENDANT_BADGE, "badge", intervention.intervention_id
            )
            self._count("interventions_cleared")

    # Scanning ------------------------------------------------------------------------------

    def _scan_all(self) -> None:
        items = self._items()
        while self.scanned < len(items):
            self._scan(items[self.scanned])
            self.scanned += 1
            self.attend()
        if self.plan.member_phone and self._session().co.cart.member is None:
            phone = self.plan.member_phone
            session = self._session()
            session.act(lambda: session.co.attach_member("phone", phone))
            self._count("members")

    def _scan(self, item: Item) -> None:
        before = self._cart()
        camera = self.k.camera
        camera.show(self.frames.frames(item.gtin, covered=item.scan_fails))
        added = wait_for(
            lambda: self._added_since(before), 1.0 if item.scan_fails else 3.0, self.stop
        )
        camera.hide()
        if added:
            self._count("camera_scans")
        else:
            self._count("manual_entries")
            self._parts().scanning.scan(item.gtin)  # the shopper types the number under the barcode
        wait_for(self._bagged, 3.0, self.stop)
        self.stop.wait(0.4)  # out of view (> the scanner's left_view_s) before the next one

    def _bagged(self) -> bool:
        session = self._session()
        with session.lock:
            return not any(ln.needs_bagging for ln in session.co.cart.lines)

    # Paying --------------------------------------------------------------------------------

    def _pay(self) -> None:
        session = self._session()
        if session.co.phase in ("receipt", "done"):
            return
        if session.co.cart.empty:
            raise KioskError("nothing in the cart", "empty_cart")
        if session.co.phase == "scanning":
            wait_for(self._bagged, 3.0, self.stop)
            session.act(session.co.start_payment)
        if self.plan.pay == "cash" or self.k.payment is None:
            self._pay_cash()
        else:
            self._pay_card()
        if not wait_for(lambda: self._session().co.phase in ("receipt", "done"), 10.0, self.stop):
            raise KioskError("payment did not complete", "not_paid")

    def _pay_card(self) -> None:
        terminal = self.k.payment
        if terminal is not None and self.plan.declines:
            terminal.push(*(["decline"] * self.plan.declines))  # type: ignore[arg-type]
        for _ in range(6):
            session = self._session()
            if session.co.phase != "paying":
                return
            self._parts().payments.pay_card(wait=True)
            session = self._session()
            attempt = session.co.ledger.attempts[-1] if session.co.ledger.attempts else None
            if attempt is not None and attempt.status == "declined":
                self._count("card_declined")
                self.attend()
        session = self._session()
        if (
            session.co.phase == "paying"
            and self.plan.pay == "card"
            and session.co.ledger.paid() == 0
        ):
            self.plan = replace(self.plan, pay="cash", declines=0)
            self._pay_cash()

    def _pay_cash(self) -> None:
        """Notes and coins for the whole units due (no change needed), the cents by card."""
        cash = self.k.cash
        if not isinstance(cash, FakeCashAcceptor):
            raise KioskError("no cash acceptor", "no_cash")
        due = self._session().co.due()
        whole = due.to_integral_value(rounding="ROUND_FLOOR")
        for note in reversed(NOTES):
            while whole >= note and self._session().co.phase == "paying":
                cash.insert(note)
                whole -= note
                self._count("cash_notes")
        if self._session().co.phase == "paying" and self._session().co.due() > 0:
            if self.k.payment is None:
                cash.insert(NOTES[0])  # no card: the kiosk gives change
            else:
                self._pay_card()

    def _finish(self) -> None:
        session = self._session()
        if session.co.sale is not None:
            self._count("sales")
        self.stop.wait(0.1)
        self.attend()
        session = self._session()
        if session.co.phase == "receipt" and not session.co.blocked:
            session.act(session.co.finish)
