"""The publisher's side of the outbox: read pending rows, record PUBACKs and end-to-end acks.

A row is *sent* when the broker acknowledged it and *acked* when the cloud's ack
(``{"boot", "seq"}`` on ``.../ack``, SPEC §4) covers its seq; only acked rows are ever
compacted away. These methods run on the drain thread, on the outbox's second connection,
so they never wait for a caller's open group-commit transaction for long.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from edge.config import OutboxSettings

log = logging.getLogger(__name__)

_NO_LIMIT = 2**62

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    critical INTEGER NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    created_at REAL NOT NULL,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    acked_at REAL
);
"""

_UPGRADE = (
    # before end-to-end acks a PUBACK was delivery: keep those rows delivered
    "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE outbox ADD COLUMN acked_at REAL",
    "UPDATE outbox SET acked_at = sent_at, attempts = 1 WHERE sent_at IS NOT NULL",
)

_INDEXES = """
DROP INDEX IF EXISTS outbox_unsent;
DROP INDEX IF EXISTS outbox_unsent_telemetry;
DROP INDEX IF EXISTS outbox_sent;
CREATE INDEX IF NOT EXISTS outbox_unacked ON outbox(seq) WHERE acked_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_acked ON outbox(acked_at) WHERE acked_at IS NOT NULL;
"""

_LIVE_FLAG = b'"historical":false'
_HISTORICAL_FLAG = b'"historical":true'


def migrate(conn: sqlite3.Connection) -> None:
    """Create the tables; add the ack columns to an outbox written before end-to-end acks."""
    conn.executescript(_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
    if "acked_at" not in columns:
        conn.execute("BEGIN IMMEDIATE")
        for statement in _UPGRADE:
            conn.execute(statement)
        conn.execute("COMMIT")
    conn.executescript(_INDEXES)


def as_historical(payload: bytes) -> bytes:
    """Flag a stored envelope as replayed backlog.

    The envelope's own ``historical`` key is serialised before ``data`` (field order of
    :class:`Envelope`), so the first occurrence is always the envelope's, never a payload's.
    """
    return payload.replace(_LIVE_FLAG, _HISTORICAL_FLAG, 1)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An unacknowledged event as the publisher needs it."""

    seq: int
    topic: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class AckResult:
    """What one end-to-end ack did: rows newly acked, and the ack latency of the newest row
    it covers that was sent once (Karn: a re-sent row's latency is ambiguous), if any."""

    acked: int
    latency_s: float | None


class DeliveryMixin:
    """Mixed into :class:`edge.outbox.Outbox`; the attributes below are the outbox's own."""

    settings: OutboxSettings
    _clock: Callable[[], float]
    _reader: sqlite3.Connection
    _reader_lock: threading.Lock
    _counts_lock: threading.Lock
    _counts: dict[str, int]
    _committed_seq: int
    _unacked: int
    _acked_upto: int

    @property
    def last_seq(self) -> int:
        """Highest committed seq: rows up to here existed before "now"."""
        return self._committed_seq

    @property
    def acked_upto(self) -> int:
        """The highest seq the cloud has acknowledged (every row up to it is delivered)."""
        return self._acked_upto

    def fetch_unacked(self, after: int, limit: int, upto: int | None = None) -> list[OutboxRow]:
        """Rows the cloud has not acknowledged, ``after < seq <= upto``, in seq order."""
        if limit <= 0:
            return []
        with self._reader_lock:
            rows = self._reader.execute(
                "SELECT seq, topic, payload FROM outbox WHERE acked_at IS NULL AND seq > ?"
                " AND seq <= ? ORDER BY seq LIMIT ?",
                (after, upto if upto is not None else _NO_LIMIT, limit),
            ).fetchall()
        return [OutboxRow(int(s), str(t), bytes(p)) for s, t, p in rows]

    fetch_unsent = fetch_unacked
    """Kept for readers written before end-to-end acks: "unsent" now means "not acked"."""

    def due_for_resend(self, older_than_s: float, upto: int, limit: int) -> list[OutboxRow]:
        """Unacked rows up to ``upto`` last published (or created, if never published) more
        than ``older_than_s`` ago: the broker took them, the cloud never said so."""
        if limit <= 0:
            return []
        cutoff = self._clock() - older_than_s
        with self._reader_lock:
            rows = self._reader.execute(
                "SELECT seq, topic, payload FROM outbox WHERE acked_at IS NULL AND seq <= ?"
                " AND coalesce(sent_at, created_at) < ? ORDER BY seq LIMIT ?",
                (upto, cutoff, limit),
            ).fetchall()
        return [OutboxRow(int(s), str(t), bytes(p)) for s, t, p in rows]

    def mark_sent(self, seqs: Sequence[int], *, delivered: bool = False) -> int:
        """Record the broker's PUBACK of ``seqs`` (the re-send timer starts from it).

        ``delivered`` also acks them: only for a cloud that sends no end-to-end acks
        (``OutboxSettings.end_to_end_acks`` off), where a PUBACK is all there is.
        """
        if not seqs:
            return 0
        now = self._clock()
        acked_sql = ", acked_at = ?" if delivered else ""
        changed = 0
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(seqs), 500):
                    chunk = list(seqs[start : start + 500])
                    marks = ",".join("?" * len(chunk))
                    params = (now, now, *chunk) if delivered else (now, *chunk)
                    cur = conn.execute(
                        f"UPDATE outbox SET sent_at = ?, attempts = attempts + 1{acked_sql}"  # noqa: S608
                        f" WHERE acked_at IS NULL AND seq IN ({marks})",
                        params,
                    )
                    changed += cur.rowcount
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        with self._counts_lock:
            self._counts["sent"] += changed
            if delivered:
                self._unacked -= changed
                self._counts["acked"] += changed
        return changed

    def ack(self, seq: int) -> AckResult:
        """Apply the cloud's ack: every row up to ``seq`` is delivered. Idempotent; an older
        ack than one already applied does nothing, and one beyond our last seq (a cloud
        confused about this node) is clamped to it."""
        if seq > self._committed_seq:
            log.warning("ack of seq %d beyond our last seq %d; clamped", seq, self._committed_seq)
            seq = self._committed_seq
        if seq <= self._acked_upto:
            return AckResult(0, None)
        now = self._clock()
        with self._reader_lock:
            conn = self._reader
            conn.execute("BEGIN IMMEDIATE")
            try:
                (sent_at,) = conn.execute(
                    "SELECT max(sent_at) FROM outbox WHERE acked_at IS NULL AND seq <= ?"
                    " AND attempts = 1",
                    (seq,),
                ).fetchone()
                cur = conn.execute(
                    "UPDATE outbox SET acked_at = ? WHERE acked_at IS NULL AND seq <= ?",
                    (now, seq),
                )
                conn.execute("INSERT OR REPLACE INTO outbox_meta VALUES ('acked_upto', ?)", (seq,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        with self._counts_lock:
            self._acked_upto = seq
            self._unacked -= cur.rowcount
            self._counts["acked"] += cur.rowcount
        latency = None if sent_at is None else max(0.0, now - float(sent_at))
        return AckResult(int(cur.rowcount), latency)

    def compact(self) -> int:
        """Delete acked rows older than ``retention_hours``; ``last_seq`` is kept in meta."""
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
                    "DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?", (cutoff,)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        with self._counts_lock:
            self._counts["compacted"] += cur.rowcount
        return int(cur.rowcount)
