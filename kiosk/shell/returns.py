"""The returns part: attendant-mode returns at the kiosk, the thin shell around
:mod:`kiosk.domain.returns`.

An attendant (PIN or badge, as for interventions) opens a sale from its receipt QR or its
number; only sales in this kiosk's own sales table can be returned here, so a return works
offline (the cloud, which may hold sales of other kiosks, takes the rest in the console).
The refund goes back to the original tenders: card and mobile through the payment adapter's
``refund`` (idempotent by reference), cash out of the acceptor (or the attendant's drawer
when it cannot pay out), points and coupons by the cloud on ingest. The local return row
and its ``return`` event are written in one outbox transaction, then a slip is printed.

The ``kiosk_returns`` table (in the outbox's SQLite file) is this part's: one row per return,
written with its event; a sale's rows say what is left to return and to refund, the cash in
all rows is what this kiosk paid out.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from contracts.messages import ReturnData, SaleData
from contracts.refunds import RefundError, RefundPlan
from edge.outbox import Outbox
from kiosk.domain.returns import (
    Refund,
    ReturnHistory,
    cash_in,
    encode_refunds,
    plan_return,
    return_event,
    sale_id_from,
    tally,
    terminal_legs,
    with_refunds,
)
from kiosk.domain.transitions import OPEN_CART
from kiosk.exceptions import ReturnError
from kiosk.payment.base import PaymentAdapter
from kiosk.payment.cash import CashAcceptor
from kiosk.shell.attendant import Attendant
from kiosk.shell.printing import Printing, ReturnSlip
from kiosk.shell.session import Session

log = logging.getLogger(__name__)

DDL = """
CREATE TABLE IF NOT EXISTS kiosk_returns (
    return_id TEXT PRIMARY KEY, sale_id TEXT NOT NULL, created TEXT NOT NULL,
    data TEXT NOT NULL, refunds TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kiosk_returns_sale ON kiosk_returns(sale_id);
"""


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
    """One return at a time, under its own lock (the session's lock is not held while the
    payment adapter or the cash acceptor pays out)."""

    def __init__(
        self,
        session: Session,
        attendant: Attendant,
        *,
        adapter: PaymentAdapter | None,
        cash: CashAcceptor | None,
        printing: Printing,
        clock: Callable[[], datetime],
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.session = session
        self.attendant = attendant
        self.outbox = session.store.outbox
        self.adapter = adapter
        self.cash = cash
        self.printing = printing
        self.clock = clock
        self.new_id = new_id
        self.current: OpenReturn | None = None
        self.last: ReturnData | None = None
        self._lock = threading.Lock()
        self.outbox.ensure_schema(DDL)

    # Reads ---------------------------------------------------------------------------

    def cash_refunded(self) -> Decimal:
        """Cash paid back by this kiosk, ever (the attendant's count compares against it)."""
        return cash_refunded(self.outbox.path)

    # Actions -------------------------------------------------------------------------

    def start(self, secret: str, kind: Literal["pin", "badge"], receipt: str) -> OpenReturn:
        """Attendant check, then the sale from this kiosk's own sales."""
        attendant = self.attendant.check(secret, kind)
        if attendant is None:
            raise ReturnError(f"wrong {kind}", "wrong_pin")
        session = self.session
        with session.lock:
            busy = not session.co.cart.empty and session.co.phase in OPEN_CART
        if busy:
            raise ReturnError("finish or suspend the open cart first", "cart_open")
        sale_id = sale_id_from(receipt)
        sale = session.store.sale(sale_id)  # or by the printed receipt number
        if sale is None:
            raise ReturnError(f"sale {sale_id} was not made on this kiosk", "sale_not_here")
        sale_id = sale.sale_id
        returned, refunded, by_ref = load_history(self.outbox.path, sale_id)
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
        """Pay back, record and publish, print. Card/mobile first: a refused card refund stops
        the return before any cash leaves the machine."""
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
            record_return(self.outbox, event, refunds)
            self.current = None
            self.last = event
        log.info("return %s of sale %s: %s back", event.return_id, event.sale_id, plan.total)
        self.printing.print_return(ReturnSlip(event, current.sale, plan, refunds))
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
        if self.adapter is None:
            raise ReturnError("no payment terminal for a card refund", "no_terminal")
        legs, left = terminal_legs(
            current.return_id, method, amount, current.sale.tenders, current.by_reference
        )
        out = []
        for leg in legs:
            result = self.adapter.refund(leg.reference, leg.original, leg.amount)
            if result.status != "approved":
                raise ReturnError(
                    f"terminal refused the refund: {result.message}", "refund_declined"
                )
            provider = result.provider or self.adapter.provider
            out.append(Refund(method, leg.amount, leg.reference, leg.original, provider))
        if left > 0:
            raise ReturnError(
                f"{left} of the {method} refund has no tender left", "refund_declined"
            )
        return out


# The kiosk_returns table ---------------------------------------------------------------


def load_history(path: Path, sale_id: str) -> ReturnHistory:
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        rows = conn.execute(
            "SELECT data, refunds FROM kiosk_returns WHERE sale_id=?", (sale_id,)
        ).fetchall()
    return tally(rows)


def cash_refunded(path: Path) -> Decimal:
    """Cash paid back by this kiosk, ever (the attendant's count compares against it)."""
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        rows = conn.execute("SELECT refunds FROM kiosk_returns").fetchall()
    return cash_in(raw for (raw,) in rows)


def record_return(outbox: Outbox, event: ReturnData, refunds: Sequence[Refund]) -> None:
    """The return's row and its ``return`` event, in one outbox transaction."""
    with outbox.transaction() as tx:
        tx.conn.execute(
            "INSERT INTO kiosk_returns VALUES (?, ?, ?, ?, ?)",
            (
                event.return_id,
                event.sale_id,
                event.completed_at.isoformat(),
                event.model_dump_json(),
                encode_refunds(refunds),
            ),
        )
        tx.emit("return", event)
