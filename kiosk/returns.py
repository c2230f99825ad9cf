"""Attendant-mode returns at the kiosk: the thin shell around :mod:`kiosk.domain.returns`.

An attendant (PIN or badge, as for interventions) opens a sale from its receipt QR or its
number; only sales in this kiosk's own sales table can be returned here, so a return works
offline (the cloud, which may hold sales of other kiosks, takes the rest in the console).
The refund goes back to the original tenders: card and mobile through the terminal's
``refund`` (idempotent by reference), cash out of the acceptor (or the attendant's drawer
when it cannot pay out), points and coupons by the cloud on ingest. The local return row
and its ``return`` event are written in one outbox transaction, then a receipt is printed.

Beside the desk: reading the receipt QR (:mod:`kiosk.receipt_codes`) and splitting the money
over the tenders (:mod:`kiosk.refund_payout`), both pure, and the ``kiosk_returns`` table
(:mod:`kiosk.return_ledger`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from contracts.messages import ReturnData, SaleData
from contracts.refunds import RefundError, RefundPlan
from kiosk import return_ledger
from kiosk.after_sale import return_receipt
from kiosk.domain.returns import plan_return, return_event
from kiosk.exceptions import ReturnError
from kiosk.payment.base import TerminalResult
from kiosk.payment.cash import CashAcceptor
from kiosk.printer.receipt import Receipt
from kiosk.receipt_codes import RECEIPT_URL, sale_id_from
from kiosk.refund_payout import Refund, terminal_legs, with_refunds
from kiosk.return_ledger import DDL

__all__ = [
    "DDL",
    "RECEIPT_URL",
    "OpenReturn",
    "Refund",
    "RefundTerminal",
    "ReturnDesk",
    "ReturnPrinter",
    "build_return_desk",
    "sale_id_from",
]

log = logging.getLogger(__name__)


class RefundTerminal(Protocol):
    def refund(self, reference: str, original: str, amount: Decimal) -> TerminalResult: ...


class ReturnPrinter(Protocol):
    def print_receipt(self, receipt: Receipt) -> None: ...


@dataclass
class OpenReturn:
    """A sale an attendant opened for return; nothing is paid until :meth:`confirm`."""

    return_id: str
    attendant: str
    sale: SaleData
    returned: dict[int, Decimal]
    refunded: dict[str, Decimal]
    by_reference: dict[str, Decimal] = field(default_factory=dict)


class ReturnDesk:
    """One return at a time, under its own lock (the checkout's lock is not held while the
    terminal or the cash acceptor pays out)."""

    def __init__(
        self,
        ctl: Any,
        *,
        terminal: RefundTerminal | None,
        cash: CashAcceptor | None,
        printer: ReturnPrinter | None,
        clock: Callable[[], datetime],
        store_name: str = "smartstore",
        kiosk_id: str = "",
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.ctl = ctl
        self.outbox = ctl.store.outbox
        self.terminal = terminal
        self.cash = cash
        self.printer = printer
        self.clock = clock
        self.store_name = store_name
        self.kiosk_id = kiosk_id
        self.new_id = new_id
        self.current: OpenReturn | None = None
        self.last: ReturnData | None = None
        self._lock = threading.Lock()
        self.outbox.ensure_schema(DDL)

    # Reads ---------------------------------------------------------------------------

    def cash_refunded(self) -> Decimal:
        """Cash paid back by this kiosk, ever (the attendant's count compares against it)."""
        return return_ledger.cash_refunded(self.outbox.path)

    # Actions -------------------------------------------------------------------------

    def start(self, secret: str, kind: Literal["pin", "badge"], receipt: str) -> OpenReturn:
        """Attendant check, then the sale from this kiosk's own sales."""
        attendant = self.ctl.check_attendant(secret, kind)
        if attendant is None:
            raise ReturnError(f"wrong {kind}", "wrong_pin")
        with self.ctl.lock:
            busy = not self.ctl.co.cart.empty and self.ctl.co.phase in ("scanning", "paying")
        if busy:
            raise ReturnError("finish or suspend the open cart first", "cart_open")
        sale_id = sale_id_from(receipt)
        sale = self.ctl.store.sale(sale_id)
        if sale is None:
            raise ReturnError(f"sale {sale_id} was not made on this kiosk", "sale_not_here")
        returned, refunded, by_ref = return_ledger.load_history(self.outbox.path, sale_id)
        with self._lock:
            self.current = OpenReturn(self.new_id(), attendant, sale, returned, refunded, by_ref)
            log.info("return of sale %s opened by %s", sale_id, attendant)
            return self.current

    def cancel(self) -> None:
        with self._lock:
            self.current = None

    def quote(self, wanted: Mapping[int, Decimal]) -> RefundPlan:
        current = self._open()
        try:
            return plan_return(current.sale, wanted, current.returned, current.refunded)
        except RefundError as exc:
            raise ReturnError(str(exc), "nothing_left") from exc

    def confirm(
        self, wanted: Mapping[int, Decimal], damaged: frozenset[int], reason: str
    ) -> ReturnData:
        """Pay back, record and publish, print. Card/mobile first: a refused terminal refund
        stops the return before any cash leaves the machine."""
        with self._lock:
            current = self._open()
            plan = self.quote(wanted)
            refunds = self._pay_out(current, plan)
            event = return_event(
                current.sale,
                plan,
                reason=reason.strip()[:200] or "unspecified",
                attendant=current.attendant,
                clock=self.clock,
                new_id=lambda: current.return_id,
                damaged=damaged,
            )
            event = with_refunds(event, plan, refunds)
            return_ledger.record_return(self.outbox, event, refunds)
            self.current = None
            self.last = event
        log.info("return %s of sale %s: %s back", event.return_id, event.sale_id, plan.total)
        self._print(event, current.sale, plan, refunds)
        return event

    # Internals -----------------------------------------------------------------------

    def _open(self) -> OpenReturn:
        if self.current is None:
            raise ReturnError("no return is open", "no_return")
        return self.current

    def _pay_out(self, current: OpenReturn, plan: RefundPlan) -> list[Refund]:
        out: list[Refund] = []
        cash_total = Decimal(0)
        for method, amount in plan.tenders:
            if method in ("card", "mobile"):
                out.extend(self._terminal_refunds(current, method, amount))
            elif method == "cash":
                cash_total += amount
            else:  # points and coupons are given back by the cloud on ingest
                out.append(Refund(method, amount))
        if cash_total > 0:
            paid = False
            try:
                paid = self.cash is not None and self.cash.dispense(cash_total)
            except Exception:
                log.exception("cash acceptor failed to pay out %s", cash_total)
            source = "acceptor" if paid else "attendant"
            if not paid:
                log.warning("cash refund %s paid by the attendant from the drawer", cash_total)
            out.append(Refund("cash", cash_total, source))
        return out

    def _terminal_refunds(self, current: OpenReturn, method: str, amount: Decimal) -> list[Refund]:
        if self.terminal is None:
            raise ReturnError("no payment terminal for a card refund", "no_terminal")
        legs, left = terminal_legs(
            current.return_id, method, amount, current.sale.tenders, current.by_reference
        )
        out = []
        for leg in legs:
            result = self.terminal.refund(leg.reference, leg.original, leg.amount)
            if result.status != "approved":
                raise ReturnError(
                    f"terminal refused the refund: {result.message}", "refund_declined"
                )
            out.append(Refund(method, leg.amount, leg.reference, leg.original))
        if left > 0:
            raise ReturnError(
                f"{left} of the {method} refund has no tender left", "refund_declined"
            )
        return out

    def _print(
        self, event: ReturnData, sale: SaleData, plan: RefundPlan, refunds: list[Refund]
    ) -> None:
        if self.printer is None:
            return
        rows = [(r.method, r.amount, r.reference) for r in refunds]
        receipt = return_receipt(event, sale, plan, rows, self.store_name, self.kiosk_id)
        try:
            self.printer.print_receipt(receipt)
        except Exception as exc:  # the refund stands; the attendant can note it by hand
            log.warning("return receipt %s not printed: %s", event.return_id, exc)


def build_return_desk(
    ctl: Any, config: Any, terminal: Any, cash: CashAcceptor | None, clock: Callable[[], datetime]
) -> ReturnDesk:
    """Wire the desk from the node's devices: the terminal only if it can refund, the receipt
    printer behind the sale printer adapter (``kiosk.receipts.SalePrinter.printer``)."""
    printer = getattr(ctl.printer, "printer", None)
    if printer is None and hasattr(ctl.printer, "print_receipt"):
        printer = ctl.printer
    return ReturnDesk(
        ctl,
        terminal=terminal if hasattr(terminal, "refund") else None,
        cash=cash,
        printer=printer,
        clock=clock,
        store_name=config.checkout.store_name,
        kiosk_id=config.identity.node,
    )
