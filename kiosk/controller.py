"""The kiosk's thin shell around the pure checkout: one lock, persistence, devices, UI view.

Every action runs under one lock, then saves the checkout snapshot and the events it produced
in one outbox transaction, then tells the UI. Slow device calls (the payment terminal, the
printer) run outside the lock so the screen stays live while the terminal thinks.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from contracts.exceptions import ContractError
from contracts.messages import FaultData, SaleData
from contracts.pricebook import PriceBook, decode_pricebook
from kiosk.domain import payflow
from kiosk.domain.checkout import Checkout, ItemInput
from kiosk.domain.payments import PaymentAttempt
from kiosk.domain.zreport import build_zreport
from kiosk.exceptions import CheckoutError, ItemRejected, KioskError, UnknownCode
from kiosk.payment.codes import classify_payment_code
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.gs1 import interpret
from kiosk.store import KioskStore, Suspension
from kiosk.view import build_view

log = logging.getLogger(__name__)


class ReceiptPrinter(Protocol):
    def print_sale(self, sale: SaleData, reprint: bool = False) -> None:
        """Print the receipt; raise :class:`PrintFailed` naming a fault code."""
        ...


class PrintFailed(KioskError):
    code = "printer_fault"


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
                self.message = Message(exc.code, str(exc))
                self.commit()  # failures may have raised an intervention
                self.notify()
                raise
            self.commit()
        self.notify()
        return result

    def recover(self) -> None:
        """After a restart: reload the saved checkout and settle any payment left in flight."""
        snapshot = self.store.load_state()
        if snapshot is not None:
            with self.lock:
                try:
                    self.co.restore(snapshot)
                except (KeyError, ValueError, TypeError) as exc:
                    log.error("saved checkout unreadable, starting fresh: %s", exc)
            log.info("recovered checkout: %s, %d lines", self.co.phase, len(self.co.cart.lines))
            self._recover_book(snapshot.get("book_version"))
        if self.payments is not None:
            self.payments.recover()
        with self.lock:
            self.complete_if_paid()

    def _recover_book(self, version: Any) -> None:
        """A cart open across a restart keeps the price book it started with, if still kept."""
        if not isinstance(version, int) or self.co.phase not in ("scanning", "paying"):
            return
        if version >= self.co.book.version:
            return
        raw = self.store.load_pricebook(version)
        if raw is None:
            log.warning("price book v%d of the open cart is gone: repriced", version)
            return
        try:
            book = decode_pricebook(raw)
        except ContractError as exc:
            log.error("stored price book v%d unreadable: %s", version, exc)
            return
        with self.lock:
            if self.co.keep_book_for_open_cart(book):
                log.info("open cart keeps price book v%d until its end", version)

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
        if payment_code or classify_payment_code(code):
            if self.payments is None:
                raise CheckoutError("mobile payment unavailable", "no_terminal")
            self.payments.pay_mobile_code(code)
            return "payment"
        if code.startswith(self.member_card_prefix) and len(code) > len(self.member_card_prefix):
            self.act(lambda: self.co.attach_member("card", code))
            return "member"
        if any(code.startswith(rule.prefix) for rule in self.co.book.coupons):
            if self.members is not None:  # online check first, refusals with a reason
                self.members.apply_coupon(code)
            else:
                self.act(lambda: self.co.add_coupon(code))
            return "coupon"
        if gtin is None and weight_kg is None and price is None and expiry is None:
            # typed or wedge-scanned text: read GS1 labels (weight/price embedded, expiry) too
            read = interpret(code, "unknown", self.gs1)
            if read.gtin is not None:
                gtin, weight_kg, price, expiry = read.gtin, read.weight_kg, read.price, read.expiry
        product = self.co.catalog.by_gtin(gtin) if gtin else None
        if product is None:
            # a label's weight/price belong to its key; never to a product found another way
            weight_kg = price = None
            product = self.co.catalog.lookup(code)

        def add() -> Any:
            if product is None:
                self.co.record_failure("unknown item")
                raise ItemRejected(f"unknown item {code}", "unknown_item")
            return self.co.add_item(
                ItemInput(product, gtin=gtin, weight_kg=weight_kg, price=price, expiry=expiry)
            )

        line = self.act(add)
        if self.after_add is not None:
            self.after_add(line, line.qty if line.weighed or line.price_override else Decimal(1))
        return "item"

    def is_known(self, code: str) -> bool:
        """For the scanner's confirmation step: product, coupon, member card or payment code."""
        return (
            self.co.catalog.lookup(code) is not None
            or code.startswith(self.member_card_prefix)
            or classify_payment_code(code) is not None
            or any(code.startswith(rule.prefix) for rule in self.co.book.coupons)
        )

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
        with self.lock:
            code = self._new_code()
            cart_id = self.co.cart.cart_id
            try:
                snapshot = self.co.suspend()
            except KioskError as exc:
                self.message = Message(exc.code, str(exc))
                self.notify()
                raise
            self.commit(suspend=Suspension(code, cart_id, snapshot))
            self.suspend_code = code
        self.notify()
        return code

    def _new_code(self) -> str:
        for _ in range(100):
            code = f"{secrets.randbelow(1_000_000):06d}"
            if not self.store.code_in_use(code):
                return code
        raise CheckoutError("no free suspend code", "store_error")

    def resume(self, code: str) -> None:
        with self.lock:
            try:
                parked = self.store.suspended(code)
                self.co.resume(parked.snapshot)
            except KioskError as exc:
                self.message = Message(exc.code, str(exc))
                self.co.record_failure("resume")
                self.commit()
                self.notify()
                raise
            self.suspend_code = None
            self.commit(resumed_code=parked.code)
        self.notify()

    # Completion, receipt, end of day ----------------------------------------------------------

    def complete_if_paid(self) -> SaleData | None:
        """Call under the lock. Writes sale + outbox row together, then prints."""
        if not payflow.fully_paid(self.co):
            return None
        sale = self.co.complete()
        self.commit(sale=sale)
        self.qr_payload = None
        threading.Thread(target=self._print, args=(sale, False), daemon=True).start()
        return sale

    def _print(self, sale: SaleData, reprint: bool) -> None:
        if self.printer is None:
            return
        try:
            self.printer.print_sale(sale, reprint=reprint)
        except PrintFailed as exc:
            log.warning("receipt of %s not printed: %s", sale.sale_id, exc)
            with self.lock:
                self.co.raise_intervention("printer_fault", exc.code, {})
                self.commit()
            if self.emit_fault is not None:
                self.emit_fault(
                    FaultData(code=exc.code, component="printer", message=str(exc)[:200])
                )
            self.notify()
            return
        except Exception:
            log.exception("printer crashed on %s", sale.sale_id)
            return
        log.info("receipt of %s printed", sale.sale_id)

    def reprint(self, sale_id: str | None = None) -> None:
        sale = self.co.sale if sale_id is None else self.store.sale(sale_id)
        if sale is None:
            raise UnknownCode("no sale to reprint")
        threading.Thread(target=self._print, args=(sale, True), daemon=True).start()

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
