"""The kiosk's own record of returns: the ``kiosk_returns`` table in the outbox's SQLite file.

One row per return, written with its ``return`` event in one outbox transaction. A sale's rows
say what is left to return and to refund; the cash in all rows is what this kiosk paid out.
The row codec (:func:`encode_refunds`, :func:`tally`, :func:`cash_in`) is pure.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from contracts.messages import ReturnData
from edge.outbox import Outbox
from kiosk.refund_payout import Refund

DDL = """
CREATE TABLE IF NOT EXISTS kiosk_returns (
    return_id TEXT PRIMARY KEY, sale_id TEXT NOT NULL, created TEXT NOT NULL,
    data TEXT NOT NULL, refunds TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kiosk_returns_sale ON kiosk_returns(sale_id);
"""


class ReturnHistory(NamedTuple):
    """Earlier returns of one sale: qty per line, amount per tender method and per tender."""

    returned: dict[int, Decimal]
    refunded: dict[str, Decimal]
    by_reference: dict[str, Decimal]


def encode_refunds(refunds: Sequence[Refund]) -> str:
    return json.dumps(
        [
            {
                "method": r.method,
                "amount": format(r.amount, "f"),
                "reference": r.reference,
                "original": r.original,
            }
            for r in refunds
        ]
    )


def tally(rows: Iterable[tuple[str, str]]) -> ReturnHistory:
    """Sum ``(data, refunds)`` rows of one sale into its :class:`ReturnHistory`."""
    returned: dict[int, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    by_ref: dict[str, Decimal] = {}
    for data, refunds in rows:
        for line in ReturnData.model_validate_json(data).lines:
            returned[line.line_no] = returned.get(line.line_no, Decimal(0)) + line.qty
        for r in json.loads(refunds):
            amount = Decimal(r["amount"])
            refunded[r["method"]] = refunded.get(r["method"], Decimal(0)) + amount
            if r.get("original"):
                by_ref[r["original"]] = by_ref.get(r["original"], Decimal(0)) + amount
    return ReturnHistory(returned, refunded, by_ref)


def cash_in(encoded_refunds: Iterable[str]) -> Decimal:
    """The cash among encoded refund lists."""
    return sum(
        (
            Decimal(r["amount"])
            for raw in encoded_refunds
            for r in json.loads(raw)
            if r["method"] == "cash"
        ),
        Decimal("0.00"),
    )


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
