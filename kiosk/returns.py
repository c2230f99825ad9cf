"""Attendant-mode returns at the kiosk: the thin shell around :mod:`kiosk.domain.returns`.

An attendant (PIN or badge, as for interventions) opens a sale from its receipt QR or its
number; only sales in this kiosk's own sales table can be returned here, so a return works
offline (the cloud, which may hold sales of other kiosks, takes the rest in the console).
The refund goes back to the original tenders: card and mobile through the terminal's
``refund`` (idempotent by reference), cash out of the acceptor (or the attendant's drawer
when it cannot pay out), points and coupons by the cloud on ingest. The local return row
and its ``return`` event are written in one outbox transaction, then a receipt is printed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from contracts.messages import ReturnData, SaleData
from contracts.refunds import RefundError, RefundPlan
from kiosk.after_sale import return_receipt
from kiosk.domain.returns import plan_return, return_event
from kiosk.exceptions import ReturnError
from kiosk.payment.base import TerminalResult
from kiosk.payment.cash import CashAcceptor
from kiosk.printer.receipt import Receipt

log = logging.getLogger(__name__)

RECEIPT_URL = "https://r.smartstore.invalid/"
"""Prefix of the receipt QR (kiosk.receipts); what follows is the sale id."""

DDL = """
CREATE TABLE IF NOT EXISTS kiosk_returns (
    return_id TEXT PRIMARY KEY, sale_id TEXT NOT NULL, created TEXT NOT NULL,
    data TEXT NOT NULL, refunds TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kiosk_returns_sale ON kiosk_returns(sale_id);
"""


class RefundTerminal(Protocol):
    def refund(self, reference: str, original: str, amount: Decimal) -> TerminalResult: ...


class ReturnPrinter(Protocol):
    def print_receipt(self, receipt: Receipt) -> None: ...


@dataclass(frozen=True)
class Refund:
    method: str
    amount: Decimal
    reference: str = ""
    """Terminal refund reference, ``acceptor`` or ``attendant`` for cash, empty otherwise."""
    original: str = ""


@dataclass
class OpenReturn:
    """A sale an attendant opened for return; nothing is paid until :meth:`confirm`."""

    return_id: str
    attendant: str
    sale: SaleData
    returned: dict[int, Decimal]
    refunded: dict[str, Decimal]
    by_reference: dict[str, Decimal] = field(default_factory=dict)


def sale_id_from(text: str) -> str:
    """The sale id in a scanned receipt QR (``https://r…/<sale id>``) or a typed number."""
    value = text.strip()
    if value.startswith(RECEIPT_URL):
        value = value[len(RECEIPT_URL) :].split("?", 1)[0].strip("/")
    if not value or len(value) > 200 or any(c.isspace() for c in value):
        raise ReturnError("not a receipt code or sale number", "bad_receipt")
    return value


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

    def _history(
        self, sale_id: str
    ) -> tuple[dict[int, Decimal], dict[str, Decimal], dict[str, Decimal]]:
        returned: dict[int, Decimal] = {}
        refunded: dict[str, Decimal] = {}
        by_ref: dict[str, Decimal] = {}
        with closing(sqlite3.connect(self.outbox.path, timeout=30)) as conn:
            rows = conn.execute(
                "SELECT data, refunds FROM kiosk_returns WHERE sale_id=?", (sale_id,)
            ).fetchall()
        for data, refunds in rows:
            for line in ReturnData.model_validate_json(data).lines:
                returned[line.line_no] = returned.get(line.line_no, Decimal(0)) + line.qty
            for r in json.loads(refunds):
                amount = Decimal(r["amount"])
                refunded[r["method"]] = refunded.get(r["method"], Decimal(0)) + amount
                if r.get("original"):
                    by_ref[r["original"]] = by_ref.get(r["original"], Decimal(0)) + amount
        return returned, refunded, by_ref

    def cash_refunded(self) -> Decimal:
        """Cash paid back by this kiosk, ever (the attendant's count compares against it)."""
        with closing(sqlite3.connect(self.outbox.path, timeout=30)) as conn:
            rows = conn.execute("SELECT refunds FROM kiosk_returns").fetchall()
        return sum(
            (
                Decimal(r["amount"])
                for (raw,) in rows
                for r in json.loads(raw)
                if r["method"] == "cash"
            ),
            Decimal("0.00"),
        )

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
        returned, refunded, by_ref = self._history(sale_id)
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
            event = ReturnData.model_validate(
                {
                    **event.model_dump(mode="json"),
                    "refunds": [
                        {
                            "method": r.method,
                            "amount": format(r.amount, "f"),
                            "reference": r.reference,
                        }
                        for r in refunds
                    ],
                    "points_reversed_estimate": plan.points_reversed,
                }
            )
            self._record(event, refunds)
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
        out = []
        left = amount
        for i, tender in enumerate(t for t in current.sale.tenders if t.method == method):
            room = tender.amount - current.by_reference.get(tender.reference, Decimal(0))
            take = min(room, left)
            if take <= 0:
                continue
            ref = f"{current.return_id}-{method}-{i}"
            result = self.terminal.refund(ref, tender.reference, take)
            if result.status != "approved":
                raise ReturnError(
                    f"terminal refused the refund: {result.message}", "refund_declined"
                )
            out.append(Refund(method, take, ref, tender.reference))
            left -= take
            if left <= 0:
                break
        if left > 0:
            raise ReturnError(
                f"{left} of the {method} refund has no tender left", "refund_declined"
            )
        return out

    def _record(self, event: ReturnData, refunds: list[Refund]) -> None:
        rows = [
            {
                "method": r.method,
                "amount": format(r.amount, "f"),
                "reference": r.reference,
                "original": r.original,
            }
            for r in refunds
        ]
        with self.outbox.transaction() as tx:
            tx.conn.execute(
                "INSERT INTO kiosk_returns VALUES (?, ?, ?, ?, ?)",
                (
                    event.return_id,
                    event.sale_id,
                    event.completed_at.isoformat(),
                    event.model_dump_json(),
                    json.dumps(rows),
                ),
            )
            tx.emit("return", event)

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
