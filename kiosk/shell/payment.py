"""The payments part: card and mobile payments through the payment adapter, QR polling, cash
and change through the acceptor.

The attempt (with its reference) is saved BEFORE the payment adapter is asked; a timeout or a
crash is settled by querying the adapter with that same reference, so nothing is charged twice
(decision 0060). The adapter is any :class:`~kiosk.payment.base.PaymentAdapter`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Literal

from kiosk.domain.payment import OPEN_STATUSES, AttemptMethod, AttemptStatus, PaymentAttempt
from kiosk.domain.scanning import classify_payment_code
from kiosk.exceptions import CheckoutError, KioskError, PaymentError, StoreError
from kiosk.payment.base import PaymentAdapter, PaymentResult, PayRequest
from kiosk.payment.cash import CashAcceptor
from kiosk.shell.session import Session

log = logging.getLogger(__name__)

FINAL: dict[str, AttemptStatus] = {
    "approved": "approved",
    "declined": "declined",
    "cancelled": "cancelled",
}
"""Adapter answers that settle an attempt; any other final answer counts as a decline."""
VOIDED = "the sale could not be saved: the payment was cancelled, nothing is charged"
UNSAVED = "the sale could not be saved yet: the payment is kept, please call staff"


def void_reference(reference: str) -> str:
    """The refund that undoes an approved charge the kiosk could not save (idempotent)."""
    return f"{reference}-void"


class Payments:
    name = "kiosk-payments"

    def __init__(
        self,
        session: Session,
        adapter: PaymentAdapter | None,
        cash: CashAcceptor | None,
        new_reference: Callable[[], str] = lambda: uuid.uuid4().hex,
        qr_timeout_s: float = 180.0,
        poll_s: float = 0.3,
    ) -> None:
        self.session = session
        self.adapter = adapter
        self.cash = cash
        self.new_reference = new_reference
        self.qr_timeout_s = qr_timeout_s
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.cash is not None:
            self.cash.start(self.on_cash)

    def stop(self) -> None:
        self._stop.set()
        if self.cash is not None:
            self.cash.stop()
        for t in self._threads:
            t.join(5)

    def _spawn(self, target: Callable[[], None], wait: bool) -> None:
        if wait:
            target()
            return

        def guarded() -> None:
            try:
                target()
            except KioskError as exc:  # the screen shows it already
                log.warning("payment: %s (%s)", exc, exc.code)

        thread = threading.Thread(target=guarded, name="kiosk-payment", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    # The shopper's buttons --------------------------------------------------------------

    def pay(self, method: Literal["card", "qr", "cash"]) -> None:
        """From the cart to paying, done at once if points cover it, then the method chosen
        (cash needs nothing more: the acceptor reports what goes in)."""
        session = self.session
        if session.co.can("pay"):
            session.act(session.co.start_payment)
        with session.lock:
            session.complete_if_paid()  # fully paid by points
        if method == "card":
            self.pay_card()
        elif method == "qr":
            self.pay_qr()
        session.notify()

    def back(self) -> None:
        """Back to the cart: a shown QR is cancelled first."""
        self.cancel_qr()
        self.session.act(self.session.co.cancel_payment)

    # Card and mobile payments -------------------------------------------------------------

    def pay_card(self, amount: Decimal | None = None, wait: bool = False) -> str:
        return self._begin("card", amount, None, None, wait)

    def pay_mobile_code(self, code: str, wait: bool = False) -> str:
        wallet = classify_payment_code(code)
        if wallet is None:
            raise CheckoutError("not a payment code", "bad_payment_code")
        return self._begin("mobile", None, code, wallet, wait)

    def _begin(
        self,
        method: AttemptMethod,
        amount: Decimal | None,
        code: str | None,
        wallet: str | None,
        wait: bool,
    ) -> str:
        adapter = self._adapter()
        ref = self.new_reference()
        attempt: PaymentAttempt = self.session.act(
            lambda: self.session.co.begin_attempt(
                method,
                ref,
                amount,
                mode="code" if code else None,
                payment_code=code,
                wallet=wallet,
            )
        )
        with self.session.lock:
            self.session.commit(attempts=[attempt])  # durable before the adapter is asked

        request = PayRequest(ref, attempt.amount, method, attempt.mode, code)

        def run() -> None:
            try:
                result = adapter.pay(request)
            except Exception as exc:
                log.warning("payment adapter failed on %s: %s", ref, exc)
                result = PaymentResult(ref, "timeout", attempt.amount, message=str(exc))
            if result.status == "timeout":
                result = self._settle_unknown(ref)
            self._record(ref, result)

        self._spawn(run, wait)
        return ref

    def pay_qr(self, wait: bool = False) -> str:
        adapter = self._adapter()
        ref = self.new_reference()
        attempt: PaymentAttempt = self.session.act(
            lambda: self.session.co.begin_attempt("mobile", ref, mode="qr")
        )
        with self.session.lock:
            self.session.commit(attempts=[attempt])
        result = adapter.pay(PayRequest(ref, attempt.amount, "mobile", "qr"))
        with self.session.lock:
            self.session.screen.qr_payload = result.qr_payload
        self.session.notify()
        self._spawn(lambda: self._poll(ref, time.monotonic() + self.qr_timeout_s), wait)
        return ref

    def _poll(self, ref: str, deadline: float) -> None:
        adapter = self._adapter()
        while not self._stop.is_set():
            result = adapter.query(ref)
            if result.status != "pending":
                self._record(ref, result)
                return
            with self.session.lock:
                attempt = self.session.co.ledger.attempt(ref)
                if attempt is None or attempt.status not in OPEN_STATUSES:
                    return  # cancelled on screen
            if time.monotonic() > deadline:
                self._record(ref, adapter.cancel(ref))
                return
            self._stop.wait(self.poll_s)

    def cancel_qr(self) -> None:
        with self.session.lock:
            attempt = self.session.co.ledger.open_attempt()
        if attempt is None or attempt.mode != "qr":
            return
        self._record(attempt.reference, self._adapter().cancel(attempt.reference))

    def _settle_unknown(self, ref: str) -> PaymentResult:
        """No answer: ask what happened; if not approved, cancel so it can never approve late."""
        adapter = self._adapter()
        result = adapter.query(ref)
        if result.status in ("approved", "declined", "cancelled"):
            return result
        cancelled = adapter.cancel(ref)
        return (
            cancelled
            if cancelled.status == "approved"
            else PaymentResult(ref, "declined", message="no answer from the payment provider")
        )

    def _record(self, ref: str, result: PaymentResult) -> None:
        """The final answer for ``ref``: anything but approved or cancelled is a decline.
        An approval the kiosk cannot save (nor the sale it completes) is undone at once."""
        status = FINAL.get(result.status, "declined")
        session = self.session
        try:
            with session.lock:
                provider = result.provider or (self.adapter.provider if self.adapter else "")
                attempt = session.co.attempt_result(
                    ref, status, result.auth_code, result.message, provider
                )
                session.screen.qr_payload = None
                session.commit(attempts=[attempt])
                session.complete_if_paid()
        except StoreError as exc:
            if status != "approved":
                raise
            self._undo_unsaved(ref, result, exc)
        log.info("payment %s: %s", ref, status)
        session.notify()

    def _undo_unsaved(self, ref: str, charge: PaymentResult, error: StoreError) -> None:
        """``ref`` is approved but the kiosk could not save it, or the sale it completed
        (a full disk): the checkout goes back to what is saved, and the charge is undone
        with the provider (cancelled, or else refunded in full), so nobody pays for a sale
        the kiosk has no record of. The attempt itself was saved before the provider was
        asked: after a crash, recovery settles it from the provider. Raises
        :class:`PaymentError` ``payment_voided`` for the screen; if the provider would undo
        nothing, the charge stays a tender and is saved with the next change that fits."""
        session, adapter = self.session, self._adapter()
        with session.lock:
            saved = session.store.load_state()
            if saved is not None:
                session.co.restore(saved)
            attempt = session.co.ledger.attempt(ref)
        amount = attempt.amount if attempt is not None else charge.amount
        undone = adapter.cancel(ref).status == "cancelled"
        if not undone:
            undone = adapter.refund(void_reference(ref), ref, amount).status == "approved"
        with session.lock:
            if attempt is None:
                pass
            elif undone:
                voided = session.co.void_attempt(ref, VOIDED)
                with contextlib.suppress(StoreError):  # else saved as pending: see above
                    session.commit(attempts=[voided])
            else:  # kept: the shopper has paid; it is saved (and sold) once there is room
                session.co.attempt_result(ref, "approved", charge.auth_code, "", charge.provider)
            failure = PaymentError(
                VOIDED if undone else UNSAVED, "payment_voided" if undone else "payment_unsaved"
            )
            session.show_error(failure)
        log.error("payment %s approved but not saved (%s): %s", ref, error, failure)
        session.notify()
        raise failure

    def recover(self) -> None:
        """Settle attempts left open by a crash, by reference; never charge again."""
        with self.session.lock:
            attempts = self.session.co.ledger.attempts
            open_attempts = [a for a in attempts if a.status in OPEN_STATUSES]
        for attempt in open_attempts:
            if self.adapter is None:
                self._record(attempt.reference, PaymentResult(attempt.reference, "declined"))
                continue
            result = self.adapter.query(attempt.reference)
            log.info("recovering payment %s: provider says %s", attempt.reference, result.status)
            if result.status == "pending" and attempt.mode == "qr":
                deadline = time.monotonic() + self.qr_timeout_s
                self._spawn(partial(self._poll, attempt.reference, deadline), wait=False)
                continue
            if result.status not in ("approved", "declined", "cancelled"):
                result = self._settle_unknown(attempt.reference)
            self._record(attempt.reference, result)

    def _adapter(self) -> PaymentAdapter:
        if self.adapter is None:
            raise CheckoutError("no payment terminal", "no_terminal")
        return self.adapter

    # Cash ----------------------------------------------------------------------------------

    def on_cash(self, value: Decimal) -> None:
        """The acceptor took a note or coin (its callback thread)."""

        def apply() -> None:
            change = self.session.co.insert_cash(value)
            if self.session.co.due() <= 0:
                dispensed = True if change == 0 else self._dispense(change)
                self.session.co.settle_cash(dispensed)
                self.session.complete_if_paid()

        self.session.act(apply)

    def _dispense(self, change: Decimal) -> bool:
        if self.cash is None:
            return False
        try:
            return self.cash.dispense(change)
        except Exception:
            log.exception("cash acceptor failed to dispense %s", change)
            return False
