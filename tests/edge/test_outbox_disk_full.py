"""The outbox when its disk fills (found by `simulate fleet --faults`, disk_full): SQLite
answers SQLITE_FULL and may roll the whole shared transaction back, taking with it the rows
of callers who had finished and were waiting for the group commit. Each caller must then
be told the truth, and the seq must stay gapless, or the cloud's ack floor stalls for good.

The disk is filled for real: ``PRAGMA max_page_count`` on the outbox's own connection."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from edge.exceptions import OutboxError
from edge.outbox import Outbox
from tests.edge.test_outbox import FAULT, open_outbox

BIG = {**FAULT, "message": "x" * 200_000}  # needs new pages whatever is free


def fill_disk(conn: sqlite3.Connection) -> None:
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {int(pages)}")


def free_disk(outbox: Outbox) -> None:
    with outbox.transaction() as tx:
        tx.conn.execute("PRAGMA max_page_count = 1073741823")


def stored_seqs(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [int(s) for (s,) in conn.execute("SELECT seq FROM outbox ORDER BY seq")]


def stored_messages(path: Path) -> list[str]:
    """Each row's fault message, in seq order (who wrote it)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT payload FROM outbox ORDER BY seq").fetchall()
    return [json.loads(p)["data"]["message"] for (p,) in rows]


def write_on_a_full_disk(outbox: Outbox) -> None:
    with outbox.transaction() as tx:
        fill_disk(tx.conn)
        tx.emit("fault", BIG)


def test_a_full_disk_fails_the_caller_and_leaves_no_gap(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = open_outbox(path)
    outbox.emit("fault", FAULT)
    with pytest.raises((OutboxError, sqlite3.Error)):
        write_on_a_full_disk(outbox)
    free_disk(outbox)
    assert outbox.emit("fault", FAULT).seq == 2
    assert stored_seqs(path) == [1, 2]


def test_callers_waiting_for_the_group_commit_learn_their_rows_were_lost(
    tmp_path: Path,
) -> None:
    """A finishes its transaction and waits for the shared commit while B, next in the
    same transaction, meets the full disk and C queues behind B: A and C are each either
    committed or told they failed, never told one and the other done."""
    path = tmp_path / "o.sqlite3"
    outbox = open_outbox(path)
    outbox.emit("fault", FAULT)
    a_inside = threading.Event()
    results: dict[str, object] = {}

    def caller_a() -> None:
        try:
            with outbox.transaction() as tx:
                tx.emit("fault", {**FAULT, "message": "A"})
                fill_disk(tx.conn)
                a_inside.set()
                while outbox._waiting == 0:  # B queues for the slot: A will hand over
                    threading.Event().wait(0.01)
            results["a"] = "committed"
        except (OutboxError, sqlite3.Error) as exc:
            results["a"] = exc

    c_go = threading.Event()

    def caller_b() -> None:
        assert a_inside.wait(5)
        try:
            with outbox.transaction() as tx:
                c_go.set()
                while outbox._waiting == 0:  # C queues behind B
                    threading.Event().wait(0.01)
                tx.emit("fault", BIG)
            results["b"] = "committed"
        except (OutboxError, sqlite3.Error) as exc:
            results["b"] = exc

    def caller_c() -> None:
        assert c_go.wait(5)
        try:
            with outbox.transaction() as tx:
                tx.emit("fault", {**FAULT, "message": "C"})
            results["c"] = "committed"
        except (OutboxError, sqlite3.Error) as exc:
            results["c"] = exc

    threads = [threading.Thread(target=f) for f in (caller_a, caller_b, caller_c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert isinstance(results["b"], Exception)
    free_disk(outbox)
    after = outbox.emit("fault", {**FAULT, "message": "after"})
    seqs = stored_seqs(path)
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # gapless
    assert after.seq == seqs[-1]
    messages = stored_messages(path)
    told = {k: results[k] == "committed" for k in ("a", "c")}
    kept = {k: k.upper() in messages for k in ("a", "c")}
    assert told == kept, (results, messages)  # each caller was told the truth
    with outbox.transaction() as tx:  # and the outbox goes on working
        tx.emit("fault", FAULT)
    assert stored_seqs(path)[-1] == after.seq + 1


def test_a_full_disk_is_flagged_at_once_and_cleared_by_the_next_commit(tmp_path: Path) -> None:
    """What the link puts in the node's retained state (``storage_full``): no disk needed."""
    outbox = open_outbox(tmp_path / "o.sqlite3")
    changes: list[bool] = []
    outbox.on_storage = changes.append
    outbox.emit("fault", FAULT)
    assert not outbox.storage_full
    with pytest.raises((OutboxError, sqlite3.Error)):
        write_on_a_full_disk(outbox)
    assert outbox.storage_full
    assert changes == [True]
    with pytest.raises((OutboxError, sqlite3.Error)):
        outbox.emit("fault", BIG)  # still full: no second change
    assert changes == [True]
    free_disk(outbox)
    outbox.emit("fault", FAULT)
    assert not outbox.storage_full
    assert changes == [True, False]


def test_writes_in_place_on_a_full_disk_do_not_clear_the_flag(tmp_path: Path) -> None:
    """A kiosk's checkout snapshot still fits in its pages on a full disk; before, that commit
    declared "room again" at once, the flag flapped and the cloud's alert was sometimes
    never raised (fault fleet, disk_full)."""
    outbox = open_outbox(tmp_path / "o.sqlite3")
    changes: list[bool] = []
    outbox.on_storage = changes.append
    outbox.emit("fault", FAULT)
    with outbox.transaction() as tx:
        tx.conn.execute("CREATE TABLE snapshot (id INTEGER PRIMARY KEY, body TEXT)")
        tx.conn.execute("INSERT INTO snapshot VALUES (1, 'cart')")
    with pytest.raises((OutboxError, sqlite3.Error)):
        write_on_a_full_disk(outbox)
    with outbox.transaction() as tx:  # in place: no new page, succeeds on the full disk
        tx.conn.execute("UPDATE snapshot SET body = 'cart 2' WHERE id = 1")
    assert outbox.storage_full
    assert changes == [True]
    free_disk(outbox)
    assert outbox.storage_full  # no event stored yet: nothing proves room
    outbox.emit("fault", FAULT)
    assert not outbox.storage_full
    assert changes == [True, False]
