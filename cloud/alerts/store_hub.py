"""Live store changes for the console's SSE stream: alerts (event ``changed``, as before),
shelf lanes (``shelves``), sales (``sales``) and devices (``devices``).

The alert hub's poll loop (decision 0090) compares one signature per store; this one keeps a
signature per store and kind, so the shelf map re-fetches on a lane event, the dashboard on a
sale, and the staff list only when alerts move.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cloud.alerts.live import AlertHub, signatures
from cloud.devices.models import Device
from cloud.inventory.models import LaneState
from cloud.sales.models import Sale

log = logging.getLogger(__name__)

Key = tuple[int, str]


def _grouped(session: Session, store_ids: list[int], model: Any, *cols: Any) -> dict[int, Any]:
    stmt = select(model.store_id, *cols).where(model.store_id.in_(store_ids))
    rows = session.execute(stmt.group_by(model.store_id))
    return {row[0]: tuple(str(v) for v in row[1:]) for row in rows}


def store_signatures(session: Session, store_ids: list[int]) -> dict[Key, Any]:
    """(store, kind) → a value that moves whenever that kind of thing changes."""
    out: dict[Key, Any] = {}
    for sid, sig in signatures(session, store_ids).items():
        out[(sid, "changed")] = sig
    lanes = _grouped(
        session, store_ids, LaneState, func.count(), func.max(LaneState.updated_at),
        func.sum(LaneState.count), func.max(LaneState.seq),
    )  # fmt: skip
    sales = _grouped(session, store_ids, Sale, func.count(), func.max(Sale.id))
    devices = _grouped(
        session, store_ids, Device, func.count(Device.last_seen), func.max(Device.last_seen),
        func.sum(Device.outbox_depth), func.max(Device.state_changed_at),
    )  # fmt: skip
    for kind, found in (("shelves", lanes), ("sales", sales), ("devices", devices)):
        for sid, sig in found.items():
            out[(sid, kind)] = sig
    return out


class StoreHub(AlertHub):
    """The alert hub, fanning out four kinds of change instead of one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: dict[Key, Any] = {}

    def deliver_kind(self, store_id: int, kind: str) -> None:
        for queue in list(self._subscribers.get(store_id, ())):
            if not queue.full():
                queue.put_nowait(kind)

    def _poll_kinds(self, store_ids: list[int]) -> list[Key]:
        with self._sessions() as session:
            current = store_signatures(session, store_ids)
        keys = set(current) | {k for k in self._seen if k[0] in store_ids}
        changed = sorted(k for k in keys if current.get(k) != self._seen.get(k))
        self._seen.update(current)
        return changed

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            store_ids = sorted(self._subscribers)
            if store_ids:
                try:
                    for sid, kind in await asyncio.to_thread(self._poll_kinds, store_ids):
                        self.deliver_kind(sid, kind)
                except SQLAlchemyError as exc:
                    log.warning("store poll failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)
