"""Local persistence of the kiosk in the outbox's SQLite file.

Every checkout change is saved with the events it produced in ONE outbox transaction, so the
cart, the payment attempts, a completed sale and its ``sale`` event are either all on disk
or none are. Reads use a short-lived connection of their own (WAL readers never block).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from contracts.messages import Payload, SaleData, ZReportData
from edge.outbox import Outbox
from kiosk.domain.payment import PaymentAttempt
from kiosk.domain.returns import RECEIPT_NO_LEN
from kiosk.domain.zreport import PaidReturn
from kiosk.exceptions import StoreError, UnknownCode

DDL = """
CREATE TABLE IF NOT EXISTS kiosk_state (
    id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS kiosk_suspended (
    code TEXT PRIMARY KEY, cart_id TEXT NOT NULL, snapshot TEXT NOT NULL,
    created REAL NOT NULL, resumed REAL);
CREATE TABLE IF NOT EXISTS kiosk_payments (
    reference TEXT PRIMARY KEY, cart_id TEXT NOT NULL, method TEXT NOT NULL,
    amount TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS kiosk_sales (
    sale_id TEXT PRIMARY KEY, completed_at TEXT NOT NULL, total TEXT NOT NULL,
    data TEXT NOT NULL, report_no INTEGER);
CREATE TABLE IF NOT EXISTS kiosk_voids (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cart_id TEXT NOT NULL, created REAL NOT NULL,
    report_no INTEGER);
CREATE TABLE IF NOT EXISTS kiosk_pricebook (
    id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, raw BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kiosk_pricebooks (
    version INTEGER PRIMARY KEY, raw BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kiosk_zreports (
    report_no INTEGER PRIMARY KEY, closed_at TEXT NOT NULL, data TEXT NOT NULL);
"""

ZREPORT_RETURNS_DDL = """
CREATE TABLE IF NOT EXISTS kiosk_zreport_returns (
    return_id TEXT PRIMARY KEY, report_no INTEGER NOT NULL)"""
"""Which Z report took each return (``kiosk_returns`` is :mod:`kiosk.shell.returns`'s table)."""


@dataclass(frozen=True)
class Suspension:
    code: str
    cart_id: str
    snapshot: dict[str, Any]


class KioskStore:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        outbox.ensure_schema(DDL)
        if not self._has_table("kiosk_zreport_returns"):
            self._create_zreport_returns()

    def _read(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.outbox.path, timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _has_table(self, name: str) -> bool:
        with closing(self._read()) as conn:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
            ).fetchone()
        return row is not None

    def _create_zreport_returns(self) -> None:
        """Create the table, and in the same transaction mark returns made before Z reports
        counted refunds, up to the last Z report, as closed (report 0), so the next report
        of an upgraded kiosk does not take earlier days' refunds."""
        last = self.last_z_closed_at()
        before: list[tuple[str]] = []
        if last is not None and self._has_table("kiosk_returns"):
            with closing(self._read()) as conn:
                rows = conn.execute("SELECT return_id, created FROM kiosk_returns").fetchall()
            before = [(rid,) for rid, at in rows if datetime.fromisoformat(at) <= last]
        with self.outbox.transaction() as tx:
            tx.conn.execute(ZREPORT_RETURNS_DDL)
            tx.conn.executemany(
                "INSERT OR IGNORE INTO kiosk_zreport_returns(return_id, report_no) VALUES (?, 0)",
                before,
            )

    # One transaction per checkout change ------------------------------------------------

    def commit(
        self,
        snapshot: dict[str, Any],
        events: Sequence[tuple[str, Payload]] = (),
        attempts: Iterable[PaymentAttempt] = (),
        sale: SaleData | None = None,
        suspend: Suspension | None = None,
        resumed_code: str | None = None,
    ) -> None:
        now = time.time()
        try:
            with self.outbox.transaction() as tx:
                c = tx.conn
                c.execute(
                    "INSERT INTO kiosk_state(id, snapshot, updated) VALUES (1, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET snapshot=excluded.snapshot, "
                    "updated=excluded.updated",
                    (json.dumps(snapshot), now),
                )
                cart_id = str(snapshot["cart"]["cart_id"])
                for a in attempts:
                    c.execute(
                        "INSERT INTO kiosk_payments VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(reference) DO UPDATE SET status=excluded.status, "
                        "updated=excluded.updated",
                        (a.reference, cart_id, a.method, format(a.amount, "f"), a.status, now, now),
                    )
                if sale is not None:
                    c.execute(
                        "INSERT INTO kiosk_sales(sale_id, completed_at, total, data) "
                        "VALUES (?, ?, ?, ?)",
                        (
                            sale.sale_id,
                            sale.completed_at.isoformat(),
                            format(sale.total, "f"),
                            sale.model_dump_json(),
                        ),
                    )
                if suspend is not None:
                    c.execute(
                        "INSERT INTO kiosk_suspended(code, cart_id, snapshot, created) "
                        "VALUES (?, ?, ?, ?)",
                        (suspend.code, suspend.cart_id, json.dumps(suspend.snapshot), now),
                    )
                if resumed_code is not None:
                    c.execute(
                        "UPDATE kiosk_suspended SET resumed=? WHERE code=?", (now, resumed_code)
                    )
                for event_type, payload in events:
                    if event_type == "void":
                        c.execute(
                            "INSERT INTO kiosk_voids(cart_id, created) VALUES (?, ?)",
                            (cart_id, now),
                        )
                    tx.emit(event_type, payload)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot save kiosk state: {exc}") from exc

    # Reads ----------------------------------------------------------------------------

    def load_state(self) -> dict[str, Any] | None:
        with closing(self._read()) as conn:
            row = conn.execute("SELECT snapshot FROM kiosk_state WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else None

    def suspended(self, code: str) -> Suspension:
        with closing(self._read()) as conn:
            row = conn.execute(
                "SELECT cart_id, snapshot FROM kiosk_suspended WHERE code=? AND resumed IS NULL",
                (code.strip(),),
            ).fetchone()
        if row is None:
            raise UnknownCode(f"no suspended cart {code}")
        return Suspension(code.strip(), row[0], json.loads(row[1]))

    def code_in_use(self, code: str) -> bool:
        with closing(self._read()) as conn:
            row = conn.execute("SELECT 1 FROM kiosk_suspended WHERE code=?", (code,)).fetchone()
        return row is not None

    def sale(self, sale_id: str) -> SaleData | None:
        """The sale by its id, or by the receipt number printed on it (the id's first
        characters) when exactly one sale starts with it."""
        with closing(self._read()) as conn:
            row = conn.execute(
                "SELECT data FROM kiosk_sales WHERE sale_id=?", (sale_id,)
            ).fetchone()
            if row is None and len(sale_id) == RECEIPT_NO_LEN:
                rows = conn.execute(
                    "SELECT data FROM kiosk_sales WHERE substr(sale_id, 1, ?) = ? LIMIT 2",
                    (RECEIPT_NO_LEN, sale_id),
                ).fetchall()
                row = rows[0] if len(rows) == 1 else None
        return SaleData.model_validate_json(row[0]) if row else None

    def payments(self) -> list[tuple[str, str, str, str]]:
        """(reference, method, amount, status) of every attempt, oldest first."""
        with closing(self._read()) as conn:
            rows = conn.execute(
                "SELECT reference, method, amount, status FROM kiosk_payments ORDER BY created"
            ).fetchall()
        return [tuple(r) for r in rows]

    # Price book -------------------------------------------------------------------------

    KEEP_BOOKS = 3
    """Older versions kept so a cart open across a restart keeps the prices it started with."""

    def save_pricebook(self, version: int, raw: bytes) -> None:
        with self.outbox.transaction() as tx:
            tx.conn.execute(
                "INSERT INTO kiosk_pricebook(id, version, raw) VALUES (1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET version=excluded.version, raw=excluded.raw",
                (version, raw),
            )
            tx.conn.execute(
                "INSERT OR REPLACE INTO kiosk_pricebooks(version, raw) VALUES (?, ?)",
                (version, raw),
            )
            tx.conn.execute(
                "DELETE FROM kiosk_pricebooks WHERE version NOT IN "
                "(SELECT version FROM kiosk_pricebooks ORDER BY version DESC LIMIT ?)",
                (self.KEEP_BOOKS,),
            )

    def load_pricebook(self, version: int | None = None) -> bytes | None:
        """The latest stored price book, or the given (recent) version when still kept."""
        with closing(self._read()) as conn:
            if version is None:
                row = conn.execute("SELECT raw FROM kiosk_pricebook WHERE id = 1").fetchone()
            else:
                row = conn.execute(
                    "SELECT raw FROM kiosk_pricebooks WHERE version = ?", (version,)
                ).fetchone()
        return bytes(row[0]) if row else None

    # Z report -------------------------------------------------------------------------

    def open_sales(self) -> tuple[list[SaleData], int, int]:
        """Sales and voids not yet in a Z report, and the next report number."""
        with closing(self._read()) as conn:
            rows = conn.execute(
                "SELECT data FROM kiosk_sales WHERE report_no IS NULL ORDER BY completed_at"
            ).fetchall()
            (voids,) = conn.execute(
                "SELECT count(*) FROM kiosk_voids WHERE report_no IS NULL"
            ).fetchone()
            (last,) = conn.execute(
                "SELECT coalesce(max(report_no), 0) FROM kiosk_zreports"
            ).fetchone()
        return [SaleData.model_validate_json(r[0]) for r in rows], int(voids), int(last) + 1

    def open_returns(self) -> list[PaidReturn]:
        """Returns paid out here and not yet in a Z report, in the order they were recorded.

        ``kiosk_returns`` belongs to :mod:`kiosk.shell.returns` (created with the return desk), so
        a kiosk that never had one has none.
        """
        if not self._has_table("kiosk_returns"):
            return []
        with closing(self._read()) as conn:
            rows = conn.execute(
                "SELECT r.return_id, r.refunds FROM kiosk_returns r "
                "LEFT JOIN kiosk_zreport_returns z ON z.return_id = r.return_id "
                "WHERE z.return_id IS NULL ORDER BY r.rowid"
            ).fetchall()
        return [
            PaidReturn(
                return_id,
                tuple((str(p["method"]), Decimal(p["amount"])) for p in payments),
                tuple(
                    (str(p.get("provider") or p["method"]), Decimal(p["amount"])) for p in payments
                ),
            )
            for return_id, payments in ((rid, json.loads(raw)) for rid, raw in rows)
        ]

    def last_z_closed_at(self) -> datetime | None:
        with closing(self._read()) as conn:
            row = conn.execute(
                "SELECT closed_at FROM kiosk_zreports ORDER BY report_no DESC LIMIT 1"
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def close_day(self, report: ZReportData) -> None:
        with self.outbox.transaction() as tx:
            c = tx.conn
            c.execute(
                "INSERT INTO kiosk_zreports VALUES (?, ?, ?)",
                (report.report_no, report.closed_at.isoformat(), report.model_dump_json()),
            )
            for sale_id in report.sale_ids:
                c.execute(
                    "UPDATE kiosk_sales SET report_no=? WHERE sale_id=?",
                    (report.report_no, sale_id),
                )
            c.execute(
                "UPDATE kiosk_voids SET report_no=? WHERE report_no IS NULL", (report.report_no,)
            )
            c.executemany(
                "INSERT INTO kiosk_zreport_returns(return_id, report_no) VALUES (?, ?)",
                [(return_id, report.report_no) for return_id in report.return_ids],
            )
            tx.emit("zreport", report)
