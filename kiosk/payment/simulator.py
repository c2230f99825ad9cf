"""The ``simulator`` payment adapter (``payment: {type: simulator}``): a payment provider
whose state lives in a SQLite file.

The file outlives the kiosk process, like a real terminal or payment host outlives a kill -9
of the POS: a charge is recorded *before* the simulated network latency, so a kiosk killed
while waiting finds the charge approved when it queries the same reference after restart.
Outcomes are scripted through the file (``push``), so a test in another process can steer a
running kiosk's payments: approve, decline, timeout (no charge), late (charged, but the answer
is lost to a timeout).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field

from edge.config import Strict
from kiosk.domain.payment import AttemptMethod
from kiosk.payment.base import PaymentResult, PaymentSetup, PayRequest

log = logging.getLogger(__name__)

Outcome = Literal["approve", "decline", "timeout", "late"]
OUTCOMES: tuple[str, ...] = ("approve", "decline", "timeout", "late")

_DDL = """
CREATE TABLE IF NOT EXISTS charges (
    reference TEXT PRIMARY KEY,
    amount TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    auth_code TEXT,
    payment_code TEXT,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS script (id INTEGER PRIMARY KEY AUTOINCREMENT, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (
    reference TEXT PRIMARY KEY,
    original TEXT NOT NULL,
    amount TEXT NOT NULL,
    created REAL NOT NULL
);
"""


class SimulatorPaymentConfig(Strict):
    type: Literal["simulator"] = Field(description="Discriminator: the payment simulator")
    state_path: Path = Field(
        default=Path("var/terminal.sqlite3"),
        description="File holding the simulator's charges; survives a kiosk crash",
    )
    latency_s: float = Field(default=0.2, ge=0, le=120, description="Simulated host latency")
    default_outcome: Literal["approve", "decline", "timeout", "late"] = Field(
        default="approve", description="Answer when no scripted outcome is queued"
    )
    qr_auto_pay_s: float | None = Field(
        default=None, ge=0, description="Demo: the shopper 'pays' a shown QR after this long"
    )

    def build(self) -> PaymentSetup:
        sim = PaymentSimulator(
            self.state_path, self.latency_s, self.default_outcome, self.qr_auto_pay_s
        )
        return PaymentSetup(sim, wallet=sim.shopper_scans_qr)


class PaymentSimulator:
    """A :class:`~kiosk.payment.base.PaymentAdapter` over a state file."""

    provider = "simulator"

    def __init__(
        self,
        state_path: Path,
        latency_s: float = 0.0,
        default_outcome: Outcome = "approve",
        qr_auto_pay_s: float | None = None,
    ) -> None:
        self.path = Path(state_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.latency_s = latency_s
        self.default_outcome: Outcome = default_outcome
        self.qr_auto_pay_s = qr_auto_pay_s
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.executescript(_DDL)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    # Steering (tests, the demo's attendant page) -------------------------------------

    def push(self, *outcomes: Outcome) -> None:
        """Queue the answers of the next charges, in order."""
        with self._connect() as conn:
            conn.executemany("INSERT INTO script(outcome) VALUES (?)", [(o,) for o in outcomes])

    def shopper_scans_qr(self, reference: str) -> None:
        """The shopper paid the merchant QR in their wallet app."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE charges SET status='approved', auth_code=? "
                "WHERE reference=? AND status='pending'",
                (_auth(reference), reference),
            )

    def approved_charges(self) -> list[tuple[str, Decimal]]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT reference, amount FROM charges WHERE status='approved' ORDER BY created"
            ).fetchall()
        return [(ref, Decimal(amount)) for ref, amount in rows]

    # PaymentAdapter ---------------------------------------------------------------------

    def pay(self, request: PayRequest) -> PaymentResult:
        if request.mode == "qr":
            return self._present_qr(request.reference, request.amount)
        return self._charge(request.reference, request.amount, request.method, request.payment_code)

    def _charge(
        self,
        reference: str,
        amount: Decimal,
        method: AttemptMethod,
        payment_code: str | None = None,
    ) -> PaymentResult:
        with self._lock, self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT status, amount, auth_code FROM charges WHERE reference=?", (reference,)
            ).fetchone()
            if row is not None:
                conn.execute("COMMIT")
                log.info("terminal: repeated reference %s answered from its record", reference)
                return PaymentResult(reference, row[0], Decimal(row[1]), row[2], "duplicate")
            outcome = self._next_outcome(conn)
            status = {"approve": "approved", "decline": "declined", "timeout": "lost"}.get(
                outcome, "approved"
            )
            conn.execute(
                "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    reference,
                    format(amount, "f"),
                    method,
                    status,
                    _auth(reference) if status == "approved" else None,
                    payment_code,
                    time.time(),
                ),
            )
            conn.execute("COMMIT")
        if self.latency_s:
            time.sleep(self.latency_s)
        if outcome in ("timeout", "late"):
            return PaymentResult(reference, "timeout", amount, message="no answer from host")
        if status == "declined":
            return PaymentResult(reference, "declined", amount, message="card declined")
        return PaymentResult(reference, "approved", amount, _auth(reference))

    def _next_outcome(self, conn: sqlite3.Connection) -> Outcome:
        row = conn.execute("SELECT id, outcome FROM script ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return self.default_outcome
        conn.execute("DELETE FROM script WHERE id=?", (row[0],))
        outcome = str(row[1])
        return outcome if outcome in OUTCOMES else "decline"  # type: ignore[return-value]

    def _present_qr(self, reference: str, amount: Decimal) -> PaymentResult:
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO charges VALUES (?, ?, 'mobile', 'pending', NULL, NULL, ?)",
                (reference, format(amount, "f"), time.time()),
            )
        payload = f"https://pay.smartstore.invalid/qr/{reference}?amount={amount}"
        return PaymentResult(reference, "pending", amount, qr_payload=payload)

    def query(self, reference: str) -> PaymentResult:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT status, amount, auth_code, created FROM charges WHERE reference=?",
                (reference,),
            ).fetchone()
            if row is None:
                return PaymentResult(reference, "unknown")
            status, amount, auth, created = row
            if (
                status == "pending"
                and self.qr_auto_pay_s is not None
                and time.time() - created >= self.qr_auto_pay_s
            ):
                self.shopper_scans_qr(reference)
                status, auth = "approved", _auth(reference)
        if status == "lost":
            status = "declined"  # the host never saw it: nothing was charged
        return PaymentResult(reference, status, Decimal(amount), auth)

    def cancel(self, reference: str) -> PaymentResult:
        with self._connect() as conn:
            conn.execute(
                "UPDATE charges SET status='cancelled' WHERE reference=? "
                "AND status IN ('pending', 'lost')",
                (reference,),
            )
        return self.query(reference)

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        """Pay back up to what ``original`` charged (less earlier refunds); idempotent by
        ``reference``, like a charge, so a retried refund never pays twice."""
        with self._lock, self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            done = conn.execute(
                "SELECT amount FROM refunds WHERE reference=?", (reference,)
            ).fetchone()
            if done is not None:
                conn.execute("COMMIT")
                return PaymentResult(reference, "approved", Decimal(done[0]), _auth(reference))
            charged = conn.execute(
                "SELECT amount FROM charges WHERE reference=? AND status='approved'", (original,)
            ).fetchone()
            before = sum(
                (
                    Decimal(r[0])
                    for r in conn.execute(
                        "SELECT amount FROM refunds WHERE original=?", (original,)
                    )
                ),
                Decimal(0),
            )
            if charged is None or amount <= 0 or before + amount > Decimal(charged[0]):
                conn.execute("COMMIT")
                return PaymentResult(reference, "declined", amount, message="refund refused")
            conn.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?)",
                (reference, original, format(amount, "f"), time.time()),
            )
            conn.execute("COMMIT")
        return PaymentResult(reference, "approved", amount, _auth(reference))

    def refunds(self) -> list[tuple[str, Decimal]]:
        """(original charge, amount) of every refund paid, oldest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT original, amount FROM refunds ORDER BY created").fetchall()
        return [(orig, Decimal(amount)) for orig, amount in rows]

    def close(self) -> None:
        """Nothing held open: every call uses its own short connection."""


def _auth(reference: str) -> str:
    return "A" + reference[-6:].upper()
