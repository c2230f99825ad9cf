"""Durable store-and-forward for node events: one SQLite (WAL) file per node.

Why ours and not the broker's or paho's queue: paho keeps unacknowledged QoS 1 messages in
memory only, and Mosquitto snapshots its queues every 30 minutes at best (FIELD-NOTES). A sale
is written in the *same* local transaction as its outbox row, so either both exist or neither.

Durability is ``synchronous=FULL`` in WAL mode (survives a power cut). Concurrent callers share
one fsync (group commit, docs/decisions/0010): each caller's work is a SAVEPOINT inside one open
SQLite transaction, the last caller of a burst commits it, and every caller returns only once
the commit holding its rows is on disk.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.messages import Envelope, Payload, encode, make_envelope
from contracts.topics import event_topic
from edge.config import OutboxSettings
from edge.exceptions import OutboxClosedError, OutboxError, OutboxFullError

log = logging.getLogger(__name__)

CRITICAL_TYPES = frozenset({"sale", "void", "zreport", "intervention"})
"""Refused (``OutboxFullError``) when the outbox is full; everything else drops its oldest."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    critical INTEGER NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    created_at REAL NOT NULL,
    sent_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(seq) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_unsent_telemetry ON outbox(seq)
    WHERE sent_at IS NULL AND critical = 0;
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
"""

_LIVE_FLAG = b'"historical":false'
_HISTORICAL_FLAG = b'"historical":true'


def as_historical(payload: bytes) -> bytes:
    """Flag a stored envelope as replayed backlog.

    The envelope's own ``historical`` key is serialised before ``data`` (field order of
    :class:`Envelope`), so the first occurrence is always the envelope's, never a payload's.
    """
    return payload.replace(_LIVE_FLAG, _HISTORICAL_FLAG, 1)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An unsent event as the publisher needs it."""

    seq: int
    topic: str
    payload: bytes


class OutboxTx:
    """One caller's share of a local transaction: write your rows with ``conn``, then ``emit``."""

    def __init__(self, outbox: Outbox, conn: sqlite3.Connection) -> None:
        self._outbox = outbox
        self.conn = conn

    def emit(self, event_type: str, data: Payload | dict[str, Any]) -> Envelope:
        """Validate, number and store one event; raises ``OutboxFullError`` for a full critical."""
        return self._outbox._append(self.conn, event_type, data)


class Outbox:
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
            "dropped_oldest": 0,
            "dropped_new": 0,
            "refused": 0,
            "compacted": 0,
            "commits": 0,
        }
        self._unsent = 0
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
            "outbox %s opened: boot %d, last seq %d, %d unsent",
            path,
            outbox.boot,
            outbox._last_seq,
            outbox._unsent,
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
        conn.executescript(_SCHEMA)
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = dict(conn.execute("SELECT key, value FROM outbox_meta").fetchall())
            self.boot = int(meta.get("boot", 0)) + 1
            conn.execute("INSERT OR REPLACE INTO outbox_meta VALUES ('boot', ?)", (self.boot,))
            (max_seq,) = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
            self._last_seq = self._committed_seq = max(int(max_seq), int(meta.get("last_seq", 0)))
            (unsent,) = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()
            self._unsent = int(unsent)
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

    @contextmanager
    def transaction(self) -> Iterator[OutboxTx]:
        """One local transaction: the caller's rows and its events commit together, durably."""
        me = threading.get_ident()
        with self._cv:
            if self._closed:
                raise OutboxClosedError("outbox is closed")
            if self._owner == me:
                raise OutboxError("outbox transactions do not nest")
            self._waiting += 1
            while self._busy:
                self._cv.wait()
            self._waiting -= 1
            self._busy = True
            self._owner = me
        conn = self._conn
        seq_before = self._last_seq
        batch_before = dict(self._batch)
        try:
            if not self._in_txn:
                conn.execute("BEGIN IMMEDIATE")
                self._in_txn = True
            conn.execute("SAVEPOINT outbox_caller")
        except BaseException:
            self._finish_failed()
            raise
        try:
            yield OutboxTx(self, conn)
        except BaseException:
            try:
                conn.execute("ROLLBACK TO outbox_caller")
                conn.execute("RELEASE outbox_caller")
            finally:
                self._last_seq = seq_before
                self._batch = batch_before
                self._finish_failed()
            raise
        conn.execute("RELEASE outbox_caller")
        self._hand_over_or_commit()

    def _finish_failed(self) -> None:
        """After a caller's rollback: pass the slot on, or close the shared transaction."""
        with self._cv:
            if self._waiting > 0:
                self._release_slot()
                return
        if self._pending_callers > 0:
            self._commit()
            return
        if self._in_txn:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("outbox rollback failed")
            self._in_txn = False
        with self._cv:
            self._release_slot()

    def _release_slot(self) -> None:
        self._busy = False
        self._owner = None
        self._cv.notify()

    def _hand_over_or_commit(self) -> None:
        with self._cv:
            self._pending_callers += 1
            my_gen = self._commit_gen + 1
            if self._waiting > 0:
                self._release_slot()
                while self._commit_gen < my_gen:
                    self._committed.wait()
                error = self._failed.get(my_gen)
                if error is not None:
                    raise OutboxError(f"outbox commit failed: {error}") from error
                return
        self._commit()

    def _commit(self) -> None:
        """Commit the shared transaction (one fsync for every caller in it) and wake them."""
        error: BaseException | None = None
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            error = exc
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.debug("rollback after failed commit also failed", exc_info=True)
        self._in_txn = False
        if error is None:
            self._committed_seq = self._last_seq
            with self._counts_lock:
                for key, value in self._batch.items():
                    if key == "unsent":
                        self._unsent += value
                    else:
                        self._counts[key] += value
                self._counts["commits"] += 1
        else:
            self._last_seq = self._committed_seq
        self._batch = {}
        with self._cv:
            self._pending_callers = 0
            self._commit_gen += 1
            if error is not None:
                self._failed = {self._commit_gen: error}
            self._release_slot()
            self._committed.notify_all()
        if error is not None:
            raise OutboxError(f"outbox commit failed: {error}") from error
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("outbox listener failed")

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
            unsent = self._unsent
        if unsent + self._batch.get("unsent", 0) >= self.settings.max_rows:
            if critical:
                with self._counts_lock:
                    self._counts["refused"] += 1
                raise OutboxFullError(
                    f"outbox full ({self.settings.max_rows} unsent rows): {event_type} refused"
                )
            if not self._drop_oldest_telemetry(conn):
                self._last_seq += 1
                self._bump("dropped_new")
                conn.execute(
                    "INSERT OR REPLACE INTO outbox_meta VALUES ('last_seq', ?)", (self._last_seq,)
                )
                log.warning(
                    "outbox full of critical rows: %s seq %d dropped", event_type, envelope.seq
                )
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
        self._bump("unsent")
        return envelope

    def _drop_oldest_telemetry(self, conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "SELECT seq FROM outbox WHERE sent_at IS NULL AND critical = 0 ORDER BY seq LIMIT 1"
        ).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM outbox WHERE seq = ?", (row[0],))
        self._bump("dropped_oldest")
        self._bump("unsent", -1)
        return True

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

    # Reading, for the publisher ---------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """Highest committed seq: rows up to here existed before "now"."""
        return self._committed_seq

    def fetch_unsent(self, after: int, limit: int, upto: int | None = None) -> list[OutboxRow]:
        """Unsent rows with ``after < seq <= upto`` in seq order."""
        if limit <= 0:
            return []
        with self._reader_lock:
            rows = self._reader.execute(
                "SELECT seq, topic, payload FROM outbox WHERE sent_at IS NULL AND seq > ?"
                " AND seq <= ? ORDER BY seq LIMIT ?",
                (after, upto if upto is not None else 2**62, limit),
            ).fetchall()
        return [OutboxRow(int(s), str(t), bytes(p)) for s, t, p in rows]

    def mark_sent(self, seqs: Sequence[int]) -> int:
        """Mark rows acknowledged by the broker; a lost mark only means a duplicate later."""
        if not seqs:
            return 0
        now = self._clock()
        changed = 0
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(seqs), 500):
                    chunk = list(seqs[start : start + 500])
                    marks = ",".join("?" * len(chunk))
                    cur = conn.execute(
                        f"UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL AND seq IN ({marks})",  # noqa: S608
                        (now, *chunk),
                    )
                    changed += cur.rowcount
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        with self._counts_lock:
            self._unsent -= changed
            self._counts["sent"] += changed
        return changed

    def compact(self) -> int:
        """Delete sent rows older than ``retention_hours``; ``last_seq`` is kept in meta."""
        cutoff = self._clock() - self.settings.retention_hours * 3600.0
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT OR REPLACE INTO outbox_meta VALUES ('last_seq',"
                    " max(coalesce((SELECT max(seq) FROM outbox), 0),"
                    " coalesce((SELECT value FROM outbox_meta WHERE key = 'last_seq'), 0)))"
                )
                cur = conn.execute(
                    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", (cutoff,)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        with self._counts_lock:
            self._counts["compacted"] += cur.rowcount
        return int(cur.rowcount)

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Called (from the committing thread) after every commit that added events."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def depth(self) -> int:
        """Unsent rows."""
        with self._counts_lock:
            return self._unsent

    def stats(self) -> dict[str, int]:
        with self._counts_lock:
            return {
                **self._counts,
                "depth": self._unsent,
                "boot": self.boot,
                "last_seq": self._committed_seq,
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
