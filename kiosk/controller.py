"""The kiosk's thin shell around the pure checkout: one lock, persistence, devices, UI view.

Every action runs under one lock, then saves the checkout snapshot and the events it produced
in one outbox transaction, then tells the UI. Slow device calls (the payment terminal, the
printer) run outside the lock so the screen stays live while the terminal thinks.

What a code is (:mod:`kiosk.code_routing`), restart recovery (:mod:`kiosk.recovery`), suspend
and resume (:mod:`kiosk.suspending`) and receipt printing (:mod:`kiosk.receipt_printing`) live
beside it; the controller keeps the lock, the commit and the methods the UI calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from contracts.messages import FaultData, SaleData
from contracts.pricebook import PriceBook
from kiosk import recovery, suspending
from kiosk.code_routing import find_item, is_known_code, route_code
from kiosk.domain import payflow
from kiosk.domain.checkout import Checkout
from kiosk.domain.payments import PaymentAttempt
from kiosk.domain.zreport import build_zreport
from kiosk.exceptions import CheckoutError, ItemRejected, KioskError, PrintFailed, UnknownCode
from kiosk.receipt_printing import ReceiptPrinter, print_in_background
from kiosk.scanner.config import Gs1Config
from kiosk.store import KioskStore, Suspension
from kiosk.view import build_view

__all__ = ["KioskController", "Message", "PinCheck", "PrintFailed", "ReceiptPrinter"]

log = logging.getLogger(__name__)

PinCheck = Callable[[str, Literal["pin", "badge"]], str | None]
"""The attendant id a PIN or badge belongs to, or None."""


@dataclass
class Message:
    code: str
    text: str


class KioskController:
    def __init__(
        self,
        checkout: Checkout,
        store: KioskStore,
        check_attendant: PinCheck,
        *,
        emit_fault: Callable[[FaultData], None] | None = None,
        printer: ReceiptPrinter | None = None,
        member_card_prefix: str = "MC",
        store_name: str = "smartstore",
        gs1: Gs1Config | None = None,
    ) -> None:
        self.co = checkout
        self.store = store
        self.check_attendant = check_attendant
        self.emit_fault = emit_fault
        self.printer = printer
        self.member_card_prefix = member_card_prefix
        self.store_name = store_name
        self.gs1 = gs1 or Gs1Config()
        self.lock = threading.RLock()
        self.message: Message | None = None
        self.suspend_code: str | None = None
        self.qr_payload: str | None = None
        self.language = "en"
        self.payments: Any = None  # kiosk.paying.PaymentRunner, set by the service
        self.members: Any = None  # kiosk.members.MemberDesk, set by the service
        self.returns: Any = None  # kiosk.returns.ReturnDesk, set by the service
        self.after_add: Callable[[Any, Decimal], None] | None = None
        self._listeners: list[Callable[[], None]] = []

    # Plumbing ---------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> None:
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

    def commit(
        self,
        attempts: list[PaymentAttempt] | None = None,
        sale: SaleData | None = None,
        suspend: Suspension | None = None,
        resumed_code: str | None = None,
    ) -> None:
        events = self.co.drain()
        if sale is not None:
            events.append(("sale", sale))
        self.store.commit(
            self.co.snapshot(),
            events,
            attempts=attempts or [],
            sale=sale,
            suspend=suspend,
            resumed_code=resumed_code,
        )

    def act(self, fn: Callable[[], Any]) -> Any:
        """Run one shopper/attendant action: lock, mutate, persist, notify; errors → message."""
        with self.lock:
            self.message = None
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
        self.message = Message(exc.code, str(exc))

    def recover(self) -> None:
        """After a restart: reload the saved checkout and settle any payment left in flight."""
        recovery.recover(self)

    # Items --------------------------------------------------------------------------------

    def scan(
        self,
        text: str,
        *,
        gtin: str | None = None,
        weight_kg: Decimal | None = None,
        price: Decimal | None = None,
        expiry: date | None = None,
        payment_code: bool = False,
    ) -> str:
        """Route any scanned/typed code: payment code, member card, coupon, then product."""
        code = text.strip()
        kind = route_code(
            code,
            payment_code=payment_code,
            member_prefix=self.member_card_prefix,
            coupon_prefixes=self._coupon_prefixes(),
        )
        if kind == "payment":
            if self.payments is None:
                raise CheckoutError("mobile payment unavailable", "no_terminal")
            self.payments.pay_mobile_code(code)
            return "payment"
        if kind == "member":
            self.act(lambda: self.co.attach_member("card", code))
            return "member"
        if kind == "coupon":
            if self.members is not None:  # online check first, refusals with a reason
                self.members.apply_coupon(code)
            else:
                self.act(lambda: self.co.add_coupon(code))
            return "coupon"
        item = find_item(
            code,
            self.co.catalog,
            self.gs1,
            gtin=gtin,
            weight_kg=weight_kg,
            price=price,
            expiry=expiry,
        )

        def add() -> Any:
            if item is None:
                self.co.record_failure("unknown item")
                raise ItemRejected(f"unknown item {code}", "unknown_item")
            return self.co.add_item(item)

        line = self.act(add)
        if self.after_add is not None:
            self.after_add(line, line.qty if line.weighed or line.price_override else Decimal(1))
        return "item"

    def is_known(self, code: str) -> bool:
        """For the scanner's confirmation step: product, coupon, member card or payment code."""
        return is_known_code(
            code,
            self.co.catalog,
            member_prefix=self.member_card_prefix,
            coupon_prefixes=self._coupon_prefixes(),
        )

    def _coupon_prefixes(self) -> list[str]:
        return [rule.prefix for rule in self.co.book.coupons]

    # Attendant -------------------------------------------------------------------------------

    def clear_with_secret(
        self,
        secret: str,
        kind: Literal["pin", "badge"],
        intervention_id: str | None = None,
        approve: bool = True,
    ) -> str:
        attendant = self.check_attendant(secret, kind)

        def clear() -> str:
            if attendant is None:
                self.co.record_failure(f"wrong {kind}")
                raise CheckoutError(f"wrong {kind}", "wrong_pin")
            self.co.clear(intervention_id, attendant, kind, approve)
            self.complete_if_paid()
            return attendant

        result: str = self.act(clear)
        return result

    def clear_remote(self, intervention_id: str | None, by: str, approve: bool = True) -> None:
        def clear() -> None:
            self.co.clear(intervention_id, by, "remote", approve)
            self.complete_if_paid()

        self.act(clear)

    # Suspend and resume ---------------------------------------------------------------------

    def suspend(self) -> str:
        return suspending.suspend(self)

    def resume(self, code: str) -> None:
        suspending.resume(self, code)

    # Completion, receipt, end of day ----------------------------------------------------------

    def complete_if_paid(self) -> SaleData | None:
        """Call under the lock. Writes sale + outbox row together, then prints."""
        if not payflow.fully_paid(self.co):
            return None
        sale = self.co.complete()
        self.commit(sale=sale)
        self.qr_payload = None
        print_in_background(self, sale, reprint=False)
        return sale

    def reprint(self, sale_id: str | None = None) -> None:
        sale = self.co.sale if sale_id is None else self.store.sale(sale_id)
        if sale is None:
            raise UnknownCode("no sale to reprint")
        print_in_background(self, sale, reprint=True)

    def zreport(self, now: datetime) -> dict[str, Any]:
        with self.lock:
            sales, voids, report_no = self.store.open_sales()
            returns = self.store.open_returns()
            opened = self.store.last_z_closed_at() or (sales[0].completed_at if sales else now)
            report = build_zreport(report_no, now.date(), opened, now, sales, voids, returns)
            self.store.close_day(report)
        log.info("Z report %d: %d sales, %s", report_no, len(sales), report.total)
        return report.model_dump(mode="json")

    def apply_book(self, book: PriceBook) -> bool:
        with self.lock:
            changed = self.co.offer_book(book)
        if changed:
            self.notify()
        return changed

    # View for the UI ----------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        with self.lock:
            return build_view(self)
