"""The outbox on a real SQLite file: seq, boot, transactions, group commit, full policies."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from contracts.exceptions import MessageError
from contracts.messages import Envelope
from edge.config import OutboxSettings
from edge.exceptions import OutboxClosedError, OutboxError, OutboxFullError
from edge.outbox import AckResult, Outbox, as_historical

FAULT = {"code": "paper_out", "component": "printer"}
STOCK = {"lane": "a1", "sku": "s1", "gtin": "0" * 14, "count": 1, "grams": "10", "state": "ok"}


class FakeClock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_outbox(path: Path, clock: FakeClock | None = None, **settings: object) -> Outbox:
    return Outbox.open(
        path, "demo", "kiosk-1", OutboxSettings(path=path, **settings), clock or FakeClock()
    )


def test_open_creates_parents_and_counts_boots(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "o.sqlite3"
    boots = []
    for _ in range(3):
        outbox = open_outbox(path)
        boots.append(outbox.boot)
        outbox.close()
    assert boots == [1, 2, 3]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_seq_rises_by_one_and_survives_restarts_and_compaction(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "o.sqlite3"
    outbox = open_outbox(path, clock, retention_hours=1)
    first = [outbox.emit("fault", FAULT) for _ in range(3)]
    assert [e.seq for e in first] == [1, 2, 3]
    assert {e.boot for e in first} == {1}
    outbox.mark_sent([1, 2, 3])
    clock.now += 7200
    assert outbox.compact() == 0  # the broker took them; the cloud never said so
    outbox.ack(3)
    clock.now += 7200
    assert outbox.compact() == 3
    outbox.close()

    again = open_outbox(path, clock)
    envelope = again.emit("fault", FAULT)
    assert (envelope.seq, envelope.boot) == (4, 2)
    again.close()


def test_envelope_is_stored_as_published(tmp_path: Path) -> None:
    clock = FakeClock(1_700_000_000.25)
    outbox = open_outbox(tmp_path / "o.sqlite3", clock)
    envelope = outbox.emit("stock", STOCK)
    (row,) = outbox.fetch_unsent(0, 10)
    assert row.topic == "smartstore/v1/demo/kiosk-1/evt/stock"
    stored = Envelope.model_validate_json(row.payload)
    assert stored == envelope
    assert stored.ts.timestamp() == pytest.approx(clock.now)
    assert Envelope.model_validate_json(as_historical(row.payload)).historical is True
    assert stored.historical is False


def test_callers_rows_and_events_commit_or_roll_back_together(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    outbox.ensure_schema("CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY);")
    with outbox.transaction() as tx:
        tx.conn.execute("INSERT INTO sales VALUES ('s1')")
        tx.emit("fault", FAULT)

    def failing_sale() -> None:
        with outbox.transaction() as tx:
            tx.conn.execute("INSERT INTO sales VALUES ('s2')")
            tx.emit("fault", FAULT)
            raise RuntimeError("payment failed")

    with pytest.raises(RuntimeError):
        failing_sale()
    check = sqlite3.connect(outbox.path)
    assert check.execute("SELECT id FROM sales").fetchall() == [("s1",)]
    assert [r.seq for r in outbox.fetch_unsent(0, 10)] == [1]
    assert outbox.emit("fault", FAULT).seq == 2  # the rolled-back seq is reused, no gap
    assert outbox.depth() == 2


def test_invalid_payload_is_refused_without_consuming_a_seq(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    with pytest.raises(MessageError):
        outbox.emit("fault", {"code": ""})
    with pytest.raises(MessageError):
        outbox.emit("no_such_type", FAULT)
    assert outbox.emit("fault", FAULT).seq == 1


def test_concurrent_emitters_get_unique_gapless_seqs_with_shared_commits(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    seqs: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            seq = outbox.emit("fault", FAULT).seq
            with lock:
                seqs.append(seq)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seqs) == list(range(1, 801))
    stats = outbox.stats()
    assert stats["appended"] == 800
    assert stats["commits"] <= 800
    assert [r.seq for r in outbox.fetch_unsent(0, 1000)] == list(range(1, 801))


def test_a_failing_caller_does_not_undo_concurrent_callers(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    errors: list[BaseException] = []

    def worker(fail: bool) -> None:
        for _ in range(50):
            try:
                with outbox.transaction() as tx:
                    tx.emit("fault", FAULT)
                    if fail:
                        raise ValueError("caller error")
            except ValueError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 150
    assert [r.seq for r in outbox.fetch_unsent(0, 1000)] == list(range(1, 151))


def test_full_outbox_refuses_critical_and_drops_new_telemetry_without_a_gap(
    tmp_path: Path,
) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3", max_rows=100)
    outbox.emit_many([("fault", FAULT)] * 50 + [("stock", STOCK)] * 50)
    sale_like = {"intervention_id": "i1", "kind": "other", "state": "raised"}
    with pytest.raises(OutboxFullError):
        outbox.emit("intervention", sale_like)
    outbox.emit("stock", STOCK)
    seqs = [r.seq for r in outbox.fetch_unacked(0, 1000)]
    assert seqs == list(range(1, 101))  # nothing stored, nothing deleted
    stats = outbox.stats()
    assert (stats["refused"], stats["dropped_new"], stats["depth"]) == (1, 1, 100)
    outbox.mark_sent([1, 2])
    with pytest.raises(OutboxFullError):  # the broker's PUBACK makes no room
        outbox.emit("intervention", sale_like)
    outbox.ack(2)  # the cloud's ack does
    # the dropped event took no seq: the cloud's contiguous floor never waits for it
    assert outbox.emit("intervention", sale_like).seq == 101


def test_mark_sent_keeps_rows_until_acked_and_compaction_keeps_unacked(tmp_path: Path) -> None:
    clock = FakeClock()
    outbox = open_outbox(tmp_path / "o.sqlite3", clock, retention_hours=1)
    outbox.emit_many([("fault", FAULT)] * 5)
    assert outbox.mark_sent([1, 2]) == 2
    assert outbox.mark_sent([1, 2, 99]) == 2  # a re-send's PUBACK restarts the timer
    assert outbox.depth() == 5
    assert outbox.ack(2).acked == 2
    assert outbox.mark_sent([1, 2]) == 0  # acked rows are done
    clock.now += 1800
    assert outbox.compact() == 0  # acked, but inside retention
    clock.now += 3600
    assert outbox.compact() == 2
    assert outbox.depth() == 3
    assert [r.seq for r in outbox.fetch_unacked(0, 10, upto=4)] == [3, 4]


def test_listeners_hear_commits(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    heard: list[int] = []
    outbox.add_listener(lambda: heard.append(outbox.last_seq))
    outbox.emit("fault", FAULT)
    outbox.emit_many([("fault", FAULT)] * 3)
    assert heard == [1, 4]


def test_misuse_is_an_outbox_error(tmp_path: Path) -> None:
    outbox = open_outbox(tmp_path / "o.sqlite3")
    with pytest.raises(OutboxError), outbox.transaction(), outbox.transaction():
        pass
    outbox.close()
    with pytest.raises(OutboxClosedError):
        outbox.emit("fault", FAULT)
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(OutboxError):
        Outbox.open(tmp_path / "dir.sqlite3", "demo", "kiosk-1")


def test_acks_are_monotone_idempotent_and_time_the_rows_sent_once(tmp_path: Path) -> None:
    clock = FakeClock()
    outbox = open_outbox(tmp_path / "o.sqlite3", clock)
    outbox.emit_many([("fault", FAULT)] * 6)
    outbox.mark_sent([1, 2, 3])
    clock.now += 0.25
    outbox.mark_sent([3])  # seq 3 went twice: its ack latency says nothing (Karn)
    clock.now += 0.5
    first = outbox.ack(3)
    assert first.acked == 3
    assert first.latency_s == pytest.approx(0.75)  # from seq 2, the newest sent once
    assert outbox.ack(3) == AckResult(0, None)
    assert outbox.ack(1) == AckResult(0, None)  # older than what is applied: nothing
    assert outbox.ack(99).acked == 3  # beyond our last seq: clamped to it
    assert (outbox.depth(), outbox.acked_upto, outbox.stats()["acked"]) == (0, 6, 6)


def test_acks_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = open_outbox(path)
    outbox.emit_many([("fault", FAULT)] * 4)
    outbox.ack(3)
    outbox.close()
    again = open_outbox(path)
    assert (again.depth(), again.acked_upto) == (1, 3)
    assert [r.seq for r in again.fetch_unacked(0, 10)] == [4]


def test_due_for_resend_picks_unacked_rows_older_than_the_timeout(tmp_path: Path) -> None:
    clock = FakeClock()
    outbox = open_outbox(tmp_path / "o.sqlite3", clock)
    outbox.emit_many([("fault", FAULT)] * 4)
    outbox.mark_sent([1, 2])
    clock.now += 3
    outbox.mark_sent([2])  # re-sent: its timer starts again
    clock.now += 3
    outbox.ack(1)
    due = outbox.due_for_resend(5.0, upto=4, limit=10)
    assert [r.seq for r in due] == [3, 4]  # never PUBACKed: timed from when they were written
    assert [r.seq for r in outbox.due_for_resend(2.0, upto=3, limit=10)] == [2, 3]
    assert outbox.due_for_resend(2.0, upto=4, limit=0) == []


def test_an_outbox_from_before_acks_keeps_its_sent_rows_delivered(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, type TEXT NOT NULL,"
        " critical INTEGER NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL,"
        " created_at REAL NOT NULL, sent_at REAL);"
        "INSERT INTO outbox VALUES (1, 'fault', 0, 't', x'7b7d', 1.0, 2.0);"
        "INSERT INTO outbox VALUES (2, 'fault', 0, 't', x'7b7d', 1.0, NULL);"
        "INSERT INTO outbox_meta VALUES ('boot', 4);"
    )
    old.commit()
    old.close()
    outbox = open_outbox(path)
    assert (outbox.boot, outbox.depth(), outbox.last_seq) == (5, 1, 2)
    assert [r.seq for r in outbox.fetch_unacked(0, 10)] == [2]
    assert outbox.emit("fault", FAULT).seq == 3
