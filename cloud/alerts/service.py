"""Alert lifecycle (ThingsBoard model): active_unack → active_ack → cleared_ack, or
active_unack → cleared_unack → cleared_ack. Cleared = resolved; ``open_key`` goes NULL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cloud.alerts import repository
from cloud.alerts.models import ALERT_STATUSES, Alert
from cloud.db.upsert import insert_ignore
from cloud.exceptions import InvalidTransitionError, NotFoundError

OPEN_STATUSES = repository.OPEN_STATUSES


def open_alert(
    session: Session,
    *,
    store_id: int,
    source: str,
    alert_type: str,
    now: datetime,
    severity: str = "warning",
    message: str = "",
    details: dict[str, Any] | None = None,
) -> tuple[Alert, bool]:
    """Open the (store, source, type) alert, or bump the open one; returns (alert, created).

    A report older than the last clear of the same alert is stale (two ingest workers can
    apply a node's events out of order; tests/reliability): the cleared alert is returned.
    """
    key = repository.open_key(store_id, source, alert_type)
    newer_clear = session.scalars(
        select(Alert)
        .where(
            Alert.store_id == store_id,
            Alert.source == source,
            Alert.type == alert_type,
            Alert.resolved_at > now,
        )
        .limit(1)
    ).first()
    if newer_clear is not None:
        return newer_clear, False
    inserted = session.execute(
        insert_ignore(session, Alert).returning(Alert.id),
        [
            {
                "store_id": store_id,
                "source": source,
                "type": alert_type,
                "severity": severity,
                "status": "active_unack",
                "open_key": key,
                "message": message[:500],
                "details": details or {},
                "occurrences": 1,
                "opened_at": now,
                "last_seen_at": now,
                "escalated": False,
            }
        ],
    ).scalar_one_or_none()
    if inserted is None:
        session.execute(
            update(Alert)
            .where(Alert.open_key == key)
            .values(occurrences=Alert.occurrences + 1, last_seen_at=now)
        )
    alert = repository.by_open_key(session, key)
    if alert is None:  # cleared by a concurrent worker between the two statements
        return open_alert(
            session,
            store_id=store_id,
            source=source,
            alert_type=alert_type,
            now=now,
            severity=severity,
            message=message,
            details=details,
        )
    session.refresh(alert)
    return alert, inserted is not None


def clear_alert(
    session: Session,
    *,
    store_id: int,
    source: str,
    alert_type: str,
    now: datetime,
    by: str | None = None,
    details: dict[str, Any] | None = None,
) -> Alert | None:
    """Clear (resolve) the open alert if any; the row keeps its ack state for the record."""
    alert = repository.by_open_key(session, repository.open_key(store_id, source, alert_type))
    if alert is None:
        return None
    if now < alert.opened_at:  # a stale clear from before this alert opened (out of order)
        return None
    _clear(alert, now, by)
    if details:
        alert.details = {**alert.details, **details}
    session.flush()
    return alert


def _clear(alert: Alert, now: datetime, by: str | None) -> None:
    alert.status = "cleared_ack" if alert.status == "active_ack" else "cleared_unack"
    alert.open_key = None
    alert.resolved_at = now
    alert.resolved_by = by
    opened = alert.opened_at
    alert.details = {**alert.details, "open_seconds": round((now - opened).total_seconds(), 3)}


def find_alert(session: Session, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError(f"alert {alert_id} not found")
    return alert


def acknowledge(session: Session, alert_id: int, *, by: str, now: datetime) -> Alert:
    alert = get_alert(session, alert_id)
    if alert.status in ("active_ack", "cleared_ack"):
        raise InvalidTransitionError(f"alert {alert_id} is already acknowledged")
    alert.status = "active_ack" if alert.status == "active_unack" else "cleared_ack"
    alert.acknowledged_at = now
    alert.acknowledged_by = by
    session.flush()
    return alert


def resolve(session: Session, alert_id: int, *, by: str, now: datetime) -> Alert:
    alert = get_alert(session, alert_id)
    if alert.status not in OPEN_STATUSES:
        raise InvalidTransitionError(f"alert {alert_id} is already cleared")
    _clear(alert, now, by)
    session.flush()
    return alert


def assign(session: Session, alert_id: int, assignee: str | None) -> Alert:
    alert = get_alert(session, alert_id)
    alert.assignee = assignee
    session.flush()
    return alert


def escalate_due(session: Session, *, now: datetime, after_minutes: float) -> list[Alert]:
    """Mark alerts unacknowledged for too long as escalated (the API notifies managers)."""
    due = list(repository.unacknowledged_before(session, now - timedelta(minutes=after_minutes)))
    for alert in due:
        alert.escalated = True
        alert.escalated_at = now
    session.flush()
    return due


def list_alerts(
    session: Session,
    *,
    store: str | None = None,
    status: str | None = None,
    alert_type: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Alert]:
    """``status`` is one of ALERT_STATUSES, or ``open``/``cleared`` for the two groups."""
    statuses: tuple[str, ...] | None
    if status is None:
        statuses = None
    elif status == "open":
        statuses = OPEN_STATUSES
    elif status == "cleared":
        statuses = ("cleared_unack", "cleared_ack")
    elif status in ALERT_STATUSES:
        statuses = (status,)
    else:
        raise ValueError(f"unknown alert status {status!r}")
    return repository.query(
        session,
        store=store,
        statuses=statuses,
        alert_type=alert_type,
        since=since,
        limit=limit,
        offset=offset,
    )


def time_to_acknowledge(alert: Alert) -> timedelta | None:
    if alert.acknowledged_at is None:
        return None
    return alert.acknowledged_at - alert.opened_at


def time_to_resolve(alert: Alert) -> timedelta | None:
    """For out-of-stock alerts cleared by a restock this is the time-to-restock."""
    if alert.resolved_at is None:
        return None
    return alert.resolved_at - alert.opened_at


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    statuses: Sequence[str] | None,
    alert_type: str | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Alert], int]:
    """Newest first among ``store_ids`` (None: all stores), one page, and how many match."""
    return repository.page(
        session,
        store_ids=store_ids,
        statuses=statuses,
        alert_type=alert_type,
        since=since,
        limit=limit,
        offset=offset,
    )


def board(session: Session, store_id: int, *, open_only: bool, limit: int = 100) -> Sequence[Alert]:
    """The store's alerts as the console lists them: escalated first, then newest."""
    return repository.board(session, store_id, open_only=open_only, limit=limit)


def open_counts(session: Session, store_id: int) -> tuple[int, int]:
    """(open, of which escalated) alerts of the store (the dashboard)."""
    return repository.open_counts(session, store_id)


def open_at_source(
    session: Session, store_id: int, source: str, types: Sequence[str]
) -> Sequence[Alert]:
    """The open alerts of ``types`` on one source, oldest first (a lane's restock task)."""
    return repository.open_at_source(session, store_id, source, types)
