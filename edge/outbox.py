"""Durable store-and-forward for node events: one SQLite (WAL) file per node.

Why ours and not the broker's or paho's queue: paho keeps unacknowledged QoS 1 messages in
memory only, and Mosquitto snapshots its queues every 30 minutes at best (FIELD-NOTES). A sale
is written in the *same* local transaction as its outbox row, so either both exist or neither.

Durability is ``synchronous=FULL`` in WAL mode (survives a power cut). Concurrent callers share
one fsync (group commit, docs/decisions/0010): each caller's work is a SAVEPOINT inside one open
SQLite transaction, the last caller of a burst commits it, and every caller returns only once
the commit holding its rows is on disk.

Sent is not delivered (SPEC §4): ``sent_at`` records the broker's PUBACK, but a row stays
pending until the cloud's end-to-end ack (``acked_at``) covers its seq, so a broker that loses
its disk or a worker that never returns loses nothing; :mod:`edge.drain` re-sends what stays
unacked. Seqs are gapless (a dropped event consumes none): the cloud acks the highest seq
below which it has *every* event, so a hole would stall the acks for good.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.codec import encode, make_envelope
from contracts.messages import Envelope, Payload
from contracts.topics import event_topic
from edge.config import OutboxSettings
from edge.exceptions import OutboxError, OutboxFullError
from edge.outbox_commit import GroupCommit, OutboxTx
from edge.outbox_delivery import AckResult, DeliveryMixin, OutboxRow, as_historical, migrate

__all__ = ["CRITICAL_TYPES", "AckResult", "Outbox", "OutboxRow", "OutboxTx", "as_historical"]

log = logging.getLogger(__name__)

CRITICAL_TYPES = frozenset({"sale", "void", "zreport", "intervention"})
"""Refused (``OutboxFullError``) when the outbox is full; anything else is dropped (no seq)."""


class Outbox(GroupCommit, DeliveryMixin):
    """Per-node durable event log with ``seq`` numbering and a ``boot`` counter."""

    def __init__(
        self,
        path: Path,
        store: str,
        node: str,
        settings: OutboxSettings,
        clock: Callable[[], float],
    ) -> None:
        self.path = path
        self.store = store
        self.node = node
        self.settings = settings
        self._clock = clock
        self.boot = 0
        self._conn = self._connect(settings.sync)
        self._reader = self._connect("normal")
        self._reader_lock = threading.Lock()
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)  # the writer slot is free
        self._committed = threading.Condition(self._lock)  # a group commit finished
        self._busy = False
        self._owner: int | None = None
        self._in_txn = False
        self._waiting = 0
        self._pending_callers = 0
        self._commit_gen = 0
        self._failed: dict[int, BaseException] = {}
        self._last_seq = 0
        self._committed_seq = 0
        self._batch: dict[str, int] = {}
        self._counts: dict[str, int] = {
            "appended": 0,
            "sent": 0,
            "acked": 0,
            "dropped_new": 0,
            "refused": 0,
            "compacted": 0,
            "commits": 0,
        }
        self._unacked = 0
        self._acked_upto = 0
        self._counts_lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._closed = False

    # Opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        store: str,
        node: str,
        settings: OutboxSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Outbox:
        """Open (creating parent dirs), migrate, and count this start in ``boot``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            outbox = cls(path, store, node, settings or OutboxSettings(path=path), clock)
            outbox._init_schema()
        except sqlite3.Error as exc:
            raise OutboxError(f"cannot open outbox {path}: {exc}") from exc
        log.info(
            "outbox %s opened: boot %d, last seq %d, %d unacked",
            path,
            outbox.boot,
            outbox._last_seq,
            outbox._unacked,
        )
        return outbox

    def _connect(self, sync: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={'FULL' if sync == 'full' else 'NORMAL'}")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _init_schema(self) -> None:
        conn = self._conn
        migrate(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = dict(conn.execute("SELECT key, value FROM outbox_meta").fetchall())
            self.boot = int(meta.get("boot", 0)) + 1
            conn.execute("INSERT OR REPLACE INTO outbox_meta VALUES ('boot', ?)", (self.boot,))
            (max_seq,) = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
            self._last_seq = self._committed_seq = max(int(max_seq), int(meta.get("last_seq", 0)))
            (unacked,) = conn.execute(
                "SELECT count(*) FROM outbox WHERE acked_at IS NULL"
            ).fetchone()
            self._unacked = int(unacked)
            self._acked_upto = int(meta.get("acked_upto", 0))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def ensure_schema(self, ddl: str) -> None:
        """Run a caller's ``CREATE TABLE IF NOT EXISTS`` script on the outbox's database."""
        with self._lock:
            while self._busy or self._in_txn:
                self._committed.wait(0.05)
            self._busy = True
        try:
            self._conn.executescript(ddl)
        finally:
            with self._cv:
                self._busy = False
                self._cv.notify_all()

    # Writing ------------------------------------------------------------------------------

    def emit(self, event_type: str, data: Payload | dict[str, Any]) -> Envelope:
        """Store one event in its own (group-committed) transaction."""
        with self.transaction() as tx:
            return tx.emit(event_type, data)

    def emit_many(self, events: Iterable[tuple[str, Payload | dict[str, Any]]]) -> list[Envelope]:
        """Store several events in one transaction: one fsync for the lot."""
        with self.transaction() as tx:
            return [tx.emit(event_type, data) for event_type, data in events]

    def _bump(self, key: str, by: int = 1) -> None:
        self._batch[key] = self._batch.get(key, 0) + by

    def _append(
        self, conn: sqlite3.Connection, event_type: str, data: Payload | dict[str, Any]
    ) -> Envelope:
        if self._owner != threading.get_ident():
            raise OutboxError("emit outside its transaction")
        now = self._clock()
        envelope = make_envelope(
            store=self.store,
            node=self.node,
            boot=self.boot,
            seq=self._last_seq + 1,
            event_type=event_type,
            data=data,
            ts=datetime.fromtimestamp(now, UTC),
        )
        critical = event_type in CRITICAL_TYPES
        with self._counts_lock:
            unacked = self._unacked
        if unacked + self._batch.get("unacked", 0) >= self.settings.max_rows:
            if critical:
                with self._counts_lock:
                    self._counts["refused"] += 1
                raise OutboxFullError(
                    f"outbox full ({self.settings.max_rows} unacked rows): {event_type} refused"
                )
            # Dropped without taking its seq: a hole would stall the cloud's acks for good.
            self._bump("dropped_new")
            log.warning("outbox full: %s event dropped", event_type)
            return envelope
        conn.execute(
            "INSERT INTO outbox (seq, type, critical, topic, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                envelope.seq,
                event_type,
                int(critical),
                event_topic(self.store, self.node, event_type),
                encode(envelope),
                now,
            ),
        )
        self._last_seq = envelope.seq
        self._bump("appended")
        self._bump("unacked")
        return envelope

    def meta(self, key: str) -> int | None:
        """A small durable integer of the node's own (e.g. the link's ``cloud_seen``)."""
        with self._reader_lock:
            row = self._reader.execute(
                "SELECT value FROM outbox_meta WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else int(row[0])

    def set_meta(self, key: str, value: int) -> None:
        with self.transaction() as tx:
            tx.conn.execute("INSERT OR REPLACE INTO outbox_meta VALUES (?, ?)", (key, value))

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Called (from the committing thread) after every commit that added events."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def depth(self) -> int:
        """Rows the cloud has not acknowledged yet (sent or not)."""
        with self._counts_lock:
            return self._unacked

    def stats(self) -> dict[str, int]:
        with self._counts_lock:
            return {
                **self._counts,
                "depth": self._unacked,
                "boot": self.boot,
                "last_seq": self._committed_seq,
                "acked_upto": self._acked_upto,
            }

    def close(self) -> None:
        with self._cv:
            if self._closed:
                return
            self._closed = True
            while self._busy or self._in_txn:
                self._committed.wait(0.05)
        with self._reader_lock:
            self._reader.close()
        self._conn.close()
