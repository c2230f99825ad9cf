"""A card charge the terminal approves while the kiosk cannot save it (found by `simulate
fleet --faults`, disk_full): the kiosk must not keep the shopper's money without a sale. It
puts the checkout back to what is saved, undoes the charge with the terminal (a refund of
the whole amount: the simulator cannot reverse an approved charge) and tells the shopper;
once the disk has room the shopper pays again and the sale matches the one charge kept.

The disk is filled for real: ``PRAGMA max_page_count`` on the kiosk's outbox connection, and
every free page inside the file taken, so the next write meets SQLITE_FULL."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

from contracts.pricebook import encode_pricebook
from edge.exceptions import OutboxError
from edge.outbox import Outbox
from kiosk.payment.simulator import PaymentSimulator
from kiosk.shell.payment import void_reference
from tests.kiosk.books import demo_book
from tests.kiosk.members_stack import kiosk
from tests.kiosk.node import kiosk_config, wait_for

ITEMS = 30
"""Distinct lines: the sale (and the cart snapshot) outgrow a page, so saving them needs a
new page whatever room the file's pages have left."""
SLOW = {"latency_s": 2.0}
"""The terminal answers after 2 s: time to fill the disk once the attempt is saved."""


def gtin(n: int) -> str:
    body = f"2900000{n:06d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def big_book(tmp: Path) -> None:
    """The demo book and ``ITEMS`` more counted items, as the kiosk's seed book."""
    book = demo_book()
    bag = next(p for p in book.products if p.sku == "bag")
    extra = [
        bag.model_copy(update={"sku": f"item-{n}", "name": f"Item {n}", "gtins": [gtin(n)]})
        for n in range(ITEMS)
    ]
    book = book.model_copy(update={"products": [*book.products, *extra]})
    (tmp / "book.sspb").write_bytes(encode_pricebook(book))


def fill_disk(outbox: Outbox) -> None:
    """No new page for the file, and its free pages taken one small commit at a time."""
    with outbox.transaction() as tx:
        tx.conn.execute("CREATE TABLE IF NOT EXISTS filler (b BLOB)")
    with outbox.transaction() as tx:
        (pages,) = tx.conn.execute("PRAGMA page_count").fetchone()
        tx.conn.execute(f"PRAGMA max_page_count = {int(pages)}")
    for _ in range(100_000):
        try:
            with outbox.transaction() as tx:
                tx.conn.execute("INSERT INTO filler VALUES (zeroblob(256))")
        except (sqlite3.Error, OutboxError):
            return
    raise AssertionError("the disk never filled")


def free_disk(outbox: Outbox) -> None:
    with outbox.transaction() as tx:
        tx.conn.execute("PRAGMA max_page_count = 1073741823")


def approved(path: Path) -> dict[str, Decimal]:
    """The terminal's approved charges (its own file), reference → amount."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT reference, amount FROM charges WHERE status='approved'")
        return {str(r): Decimal(a) for r, a in rows}


def sales(path: Path) -> list[dict[str, Any]]:
    """The sale events in the kiosk's outbox."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT payload FROM outbox WHERE type='sale' ORDER BY seq")
        return [json.loads(raw)["data"] for (raw,) in rows]


def test_a_card_approved_while_the_disk_is_full_is_refunded_and_shown(tmp_path: Path) -> None:
    big_book(tmp_path)
    terminal_cfg = {"type": "simulator", "state_path": str(tmp_path / "terminal.sqlite3")}
    config = kiosk_config(tmp_path, scale={"type": "none"}, payment=terminal_cfg | SLOW)
    terminal_path = tmp_path / "terminal.sqlite3"
    with kiosk(config) as k:
        terminal = PaymentSimulator(terminal_path)
        for n in range(ITEMS):
            k.post("scan", {"code": gtin(n)})
        k.post("pay", {"method": "cash"})
        k.post("pay", {"method": "card"})  # the attempt is saved, then the terminal asked
        wait_for(lambda: k.state()["attempt"], what="the attempt saved")
        fill_disk(k.node.outbox)  # while the shopper holds the card to the terminal
        state = wait_for(
            lambda: (s := k.state())["message"] and s["message"]["code"] == "payment_voided" and s,
            what="the voided payment on the screen",
        )
        ((voided, amount),) = approved(terminal_path).items()
        assert terminal.refunds() == [(voided, amount)]  # the whole charge back
        assert state["sale"] is None
        assert state["phase"] == "paying"
        assert state["attempt"]["status"] == "cancelled"
        assert Decimal(state["totals"]["paid"]) == 0
        assert "nothing is charged" in state["message"]["text"]

        free_disk(k.node.outbox)
        k.post("pay", {"method": "card"})
        wait_for(lambda: k.state()["sale"], what="the sale once the disk has room")
        (sale,) = sales(config.outbox.path)
        (tender,) = sale["tenders"]
        kept = set(approved(terminal_path)) - {r for r, _ in terminal.refunds()}
        assert kept == {tender["reference"]} != {voided}
        assert Decimal(tender["amount"]) == amount == Decimal(sale["total"])
    with closing(sqlite3.connect(config.outbox.path)) as conn:  # after a restart: settled
        rows = dict(conn.execute("SELECT reference, status FROM kiosk_payments").fetchall())
    assert rows[tender["reference"]] == "approved"
    assert rows[voided] in ("pending", "cancelled")
    assert (
        PaymentSimulator(terminal_path).refund(void_reference(voided), voided, amount).status
        == "approved"
    )  # idempotent: the same refund, not a second one
    assert terminal.refunds() == [(voided, amount)]
