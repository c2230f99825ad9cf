"""Live alert fan-out for the console (SSE): "store N's alerts changed" to every subscriber.

Alerts change in two places: console actions (this process, which calls :meth:`notify`) and
ingest workers (other processes). For the second, one poll loop per app compares a cheap
per-store signature of the alerts table every ``interval_s`` and notifies the stores whose
signature moved; it only queries while someone is subscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert

log = logging.getLogger(__name__)

Signature = tuple[Any, ...]


def signatures(session: Session, store_ids: list[int]) -> dict[int, Signature]:
    """Per store: counts and latest times; any alert change moves at least one of them."""
    stmt = (
        select(
            Alert.store_id,
            func.count(),
            func.max(Alert.id),
            func.max(Alert.last_seen_at),
            func.max(Alert.acknowledged_at),
            func.max(Alert.resolved_at),
            func.count(Alert.open_key),
            func.count(Alert.assignee),
            func.max(Alert.escalated_at),
        )
        .where(Alert.store_id.in_(store_ids))
        .group_by(Alert.store_id)
    )
    return {row[0]: tuple(str(v) for v in row[1:]) for row in session.execute(stmt)}


class AlertHub:
    def __init__(self, sessions: sessionmaker[Session], *, interval_s: float = 1.0) -> None:
        self._sessions = sessions
        self._interval_s = interval_s
        self._subscribers: dict[int, set[asyncio.Queue[str]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last: dict[int, Signature] = {}

    def subscribe(self, store_id: int) -> asyncio.Queue[str]:
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=16)
        self._subscribers[store_id].add(queue)
        return queue

    def unsubscribe(self, store_id: int, queue: asyncio.Queue[str]) -> None:
        subs = self._subscribers.get(store_id)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._subscribers[store_id]

    def subscriber_count(self, store_id: int) -> int:
        return len(self._subscribers.get(store_id, ()))

    def notify(self, store_id: int) -> None:
        """Thread-safe: callable from request threads and the escalation job."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._deliver, store_id)

    def _deliver(self, store_id: int) -> None:
        for queue in list(self._subscribers.get(store_id, ())):
            if queue.full():  # a slow client only needs to know "changed" once
                continue
            queue.put_nowait("changed")

    def _poll(self, store_ids: list[int]) -> list[int]:
        with self._sessions() as session:
            current = signatures(session, store_ids)
        changed = [sid for sid in store_ids if current.get(sid) != self._last.get(sid)]
        self._last.update(current)
        return changed

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            store_ids = sorted(self._subscribers)
            if store_ids:
                try:
                    for sid in await asyncio.to_thread(self._poll, store_ids):
                        self._deliver(sid)
                except SQLAlchemyError as exc:
                    log.warning("alert poll failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)
