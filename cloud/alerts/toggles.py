"""A node's raise/clear toggles take effect in the node's order, whatever order two ingest
workers apply them in (docs/decisions/0131).

Each (store, source, type) has one :class:`AlertToggle` row holding the node time of the last
toggle applied. A worker locks the rows it will touch (``SELECT … FOR UPDATE``, in one sorted
order so two batches never deadlock); a toggle older than the row's time is stale and
skipped. SQLite has one writer at a time, so the lock is implicit there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cloud.alerts.models import AlertToggle
from cloud.db.upsert import insert_ignore

ToggleKey = tuple[int, str, str]
"""(store id, source, alert type)."""

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def lock(session: Session, keys: Iterable[ToggleKey]) -> None:
    """Create (if new) and lock the rows of ``keys`` until the transaction ends."""
    ordered = sorted(set(keys))
    if not ordered:
        return
    session.execute(
        insert_ignore(session, AlertToggle),
        [
            {"store_id": s, "source": src, "type": typ, "at": NEVER, "active": False}
            for s, src, typ in ordered
        ],
    )
    for key in ordered:
        session.get(AlertToggle, key, with_for_update=True, populate_existing=True)


def advance(session: Session, key: ToggleKey, *, active: bool, at: datetime) -> bool:
    """Record the toggle and say whether it is current (False: the node has since toggled)."""
    lock(session, [key])
    row = session.get(AlertToggle, key)
    assert row is not None  # just inserted or found under lock
    if at < row.at:
        return False
    row.at, row.active = at, active
    session.flush()
    return True
