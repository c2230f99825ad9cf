"""Group commit for the outbox (docs/decisions/0010): each caller's work is a SAVEPOINT
inside one open SQLite transaction; the last caller of a burst commits it, and every caller
returns only once the commit holding its rows is on disk.

When SQLite itself ends the shared transaction (a full disk or an I/O error rolls it all
back, as `simulate fleet --faults` found with ``disk_full``), every caller waiting for the
commit is told it failed and the seq goes back to the last commit: a caller told "done"
whose rows are gone, or a hole in the seqs, would lose a sale or stall the cloud's acks.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from contracts.messages import Envelope, Payload
from edge.exceptions import OutboxClosedError, OutboxError

log = logging.getLogger(__name__)


class OutboxTx:
    """One caller's share of a local transaction: write your rows with ``conn``, then ``emit``."""

    def __init__(self, outbox: GroupCommit, conn: sqlite3.Connection) -> None:
        self._outbox = outbox
        self.conn = conn

    def emit(self, event_type: str, data: Payload | dict[str, Any]) -> Envelope:
        """Validate, number and store one event; raises ``OutboxFullError`` for a full critical."""
        return self._outbox._append(self.conn, event_type, data)


class GroupCommit:
    """Mixed into :class:`edge.outbox.Outbox`; the attributes below are the outbox's own."""

    _conn: sqlite3.Connection
    _cv: threading.Condition
    _committed: threading.Condition
    _busy: bool
    _owner: int | None
    _in_txn: bool
    _waiting: int
    _pending_callers: int
    _commit_gen: int
    _failed: dict[int, BaseException]
    _last_seq: int
    _committed_seq: int
    _batch: dict[str, int]
    _counts_lock: threading.Lock
    _counts: dict[str, int]
    _unacked: int
    _listeners: list[Callable[[], None]]
    _closed: bool
    storage_full: bool = False
    """A write met SQLITE_FULL, and no event has been stored since: the node tells the cloud
    in its retained state, which needs no disk write. Only a commit that stored events clears
    it: writes in place (a checkout snapshot, acks) still succeed on a full disk and would
    make the flag flap, so the cloud could miss the "full" altogether."""
    on_storage: Callable[[bool], None] | None = None
    """Called (off every lock) when :attr:`storage_full` changes."""

    def _note_storage(self, error: BaseException | None) -> None:
        """``None``: a commit reached the disk; else a failed write, full or not."""
        full = _is_full(error)
        if error is not None and not full:
            return  # another error says nothing about room
        if full != self.storage_full:
            self.storage_full = full
            log.warning("outbox storage %s", "full" if full else "has room again")
            if self.on_storage is not None:
                try:
                    self.on_storage(full)
                except Exception:
                    log.exception("outbox storage listener failed")

    def _append(
        self, conn: sqlite3.Connection, event_type: str, data: Payload | dict[str, Any]
    ) -> Envelope:
        raise NotImplementedError

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
        if self._in_txn and not conn.in_transaction:  # ended under us (a caller caught it)
            self._abort_shared(OutboxError("the shared transaction was rolled back"), keep=True)
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
        except BaseException as exc:
            self._note_storage(exc)
            if not conn.in_transaction:
                self._abort_shared(exc)  # SQLite ended the shared transaction itself
                raise
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
        stored_events = self._last_seq > self._committed_seq
        if error is None:
            self._committed_seq = self._last_seq
            with self._counts_lock:
                for key, value in self._batch.items():
                    if key == "unacked":
                        self._unacked += value
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
        if error is not None or stored_events:
            self._note_storage(error)
        if error is not None:
            raise OutboxError(f"outbox commit failed: {error}") from error
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("outbox listener failed")

    def _abort_shared(self, error: BaseException, keep: bool = False) -> None:
        """SQLite rolled the whole shared transaction back (SQLITE_FULL, SQLITE_IOERR, …):
        every caller in it lost its rows, not only the one that failed. Tell the callers
        waiting for the commit, and number from the last commit again (gapless seqs).
        ``keep``: the calling thread keeps the writer slot."""
        self._in_txn = False
        self._last_seq = self._committed_seq
        self._batch = {}
        with self._cv:
            if self._pending_callers > 0:
                self._pending_callers = 0
                self._commit_gen += 1
                self._failed = {self._commit_gen: error}
                self._committed.notify_all()
            if not keep:
                self._release_slot()


def _is_full(error: BaseException | None) -> bool:
    """SQLITE_FULL anywhere in the chain (a caller may have wrapped it)."""
    seen = 0
    while error is not None and seen < 8:
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
