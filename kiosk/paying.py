"""Runs payments against the devices: terminal attempts, QR polling, cash and change.

The attempt (with its reference) is saved BEFORE the terminal is asked; a timeout or a crash
is settled by querying the terminal with that same reference, so nothing is charged twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from kiosk.controller import KioskController
from kiosk.domain import payflow
from kiosk.domain.payments import OPEN_STATUSES, AttemptMethod, PaymentAttempt
from kiosk.exceptions import CheckoutError
from kiosk.payment.base import PaymentTerminal, TerminalResult
from kiosk.payment.cash import CashAcceptor
from kiosk.payment.codes import classify_payment_code

log = logging.getLogger(__name__)


class PaymentRunner:
    name = "kiosk-payments"

    def __init__(
        self,
        ctl: KioskController,
        terminal: PaymentTerminal | None,
        cash: CashAcceptor | None,
        new_reference: Callable[[], str] = lambda: uuid.uuid4().hex,
        qr_timeout_s: float = 180.0,
        poll_s: float = 0.3,
    ) -> None:
        self.ctl = ctl
        self.terminal = terminal
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
        thread = threading.Thread(target=target, name="kiosk-payment", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    # Terminal payments -------------------------------------------------------------------

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
        terminal = self._terminal()
        ref = self.new_reference()
        attempt: PaymentAttempt = self.ctl.act(
            lambda: payflow.begin_attempt(
                self.ctl.co,
                method,
                ref,
                amount,
                mode="code" if code else None,
                payment_code=code,
                wallet=wallet,
            )
        )
        with self.ctl.lock:
            self.ctl.commit(attempts=[attempt])  # durable before the terminal is asked

        def run() -> None:
            try:
                result = terminal.charge(ref, attempt.amount, method, code)
            except Exception as exc:
                log.warning("terminal failed on %s: %s", ref, exc)
                result = TerminalResult(ref, "timeout", attempt.amount, message=str(exc))
            if result.status == "timeout":
                result = self._settle_unknown(ref)
            self._record(ref, result)

        self._spawn(run, wait)
        return ref

    def pay_qr(self, wait: bool = False) -> str:
        terminal = self._terminal()
        ref = self.new_reference()
        attempt: PaymentAttempt = self.ctl.act(
            lambda: payflow.begin_attempt(self.ctl.co, "mobile", ref, mode="qr")
        )
        with self.ctl.lock:
            self.ctl.commit(attempts=[attempt])
        result = terminal.present_qr(ref, attempt.amount)
        with self.ctl.lock:
            self.ctl.qr_payload = result.qr_payload
        self.ctl.notify()
        self._spawn(lambda: self._poll(ref, time.monotonic() + self.qr_timeout_s), wait)
        return ref

    def _poll(self, ref: str, deadline: float) -> None:
        terminal = self._terminal()
        while not self._stop.is_set():
            result = terminal.query(ref)
            if result.status != "pending":
                self._record(ref, result)
                return
            with self.ctl.lock:
                attempt = self.ctl.co.ledger.attempt(ref)
                if attempt is None or attempt.status not in OPEN_STATUSES:
                    return  # cancelled on screen
            if time.monotonic() > deadline:
                self._record(ref, terminal.cancel(ref))
                return
            self._stop.wait(self.poll_s)

    def cancel_qr(self) -> None:
        with self.ctl.lock:
            attempt = self.ctl.co.ledger.open_attempt()
        if attempt is None or attempt.mode != "qr":
            return
        self._record(attempt.reference, self._terminal().cancel(attempt.reference))

    def _settle_unknown(self, ref: str) -> TerminalResult:
        """No answer: ask what happened; if not approved, cancel so it can never approve late."""
        terminal = self._terminal()
        result = terminal.query(ref)
        if result.status in ("approved", "declined", "cancelled"):
            return result
        cancelled = terminal.cancel(ref)
        return (
            cancelled
            if cancelled.status == "approved"
            else TerminalResult(ref, "declined", message="no answer from the terminal")
        )

    def _record(self, ref: str, result: TerminalResult) -> None:
        status = (
            result.status
            if result.status in ("approved", "declined", "cancelled")
            else ("declined")
        )

        def apply() -> None:
            attempt = payflow.attempt_result(
                self.ctl.co,
                ref,
                status,
                result.auth_code,
                result.message,  # type: ignore[arg-type]
            )
            self.ctl.qr_payload = None
            self.ctl.commit(attempts=[attempt])
            self.ctl.complete_if_paid()

        with self.ctl.lock:
            apply()
        log.info("payment %s: %s", ref, status)
        self.ctl.notify()

    def recover(self) -> None:
        """Settle attempts left open by a crash, by reference; never charge again."""
        with self.ctl.lock:
            open_attempts = [a for a in self.ctl.co.ledger.attempts if a.status in OPEN_STATUSES]
        for attempt in open_attempts:
            if self.terminal is None:
                self._record(attempt.reference, TerminalResult(attempt.reference, "declined"))
                continue
            result = self.terminal.query(attempt.reference)
            log.info("recovering payment %s: terminal says %s", attempt.reference, result.status)
            if result.status == "pending" and attempt.mode == "qr":
                self._spawn(
                    lambda ref=attempt.reference: self._poll(  # type: ignore[misc]
                        ref, time.monotonic() + self.qr_timeout_s
                    ),
                    False,
                )
                continue
            if result.status not in ("approved", "declined", "cancelled"):
                result = self._settle_unknown(attempt.reference)
            self._record(attempt.reference, result)

    def _terminal(self) -> PaymentTerminal:
        if self.terminal is None:
            raise CheckoutError("no payment terminal", "no_terminal")
        return self.terminal

    # Cash ----------------------------------------------------------------------------------

    def on_cash(self, value: Decimal) -> None:
        """The acceptor took a note or coin (its callback thread)."""

        def apply() -> None:
            change = payflow.insert_cash(self.ctl.co, value)
            if self.ctl.co.due() <= 0:
                dispensed = True if change == 0 else self._dispense(change)
                payflow.settle_cash(self.ctl.co, dispensed)
                self.ctl.complete_if_paid()

        self.ctl.act(apply)

    def _dispense(self, change: Decimal) -> bool:
        if self.cash is None:
            return False
        try:
            return self.cash.dispense(change)
        except Exception:
            log.exception("cash acceptor failed to dispense %s", change)
            return False
