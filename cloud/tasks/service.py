"""Task lifecycle. Restock tasks follow the shelf: while a lane has an open low or out-of-stock
alert it has one open restock task; when the lane's alerts clear (the shelf reports restocked,
or someone resolves them) the task is done, and a restock task done or cancelled by a person
resolves the lane's alerts. Other kinds are created and closed by people only."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cloud.alerts import service as alerts
from cloud.alerts.models import Alert
from cloud.exceptions import ConflictError, InvalidTransitionError, NotFoundError
from cloud.tasks import repository
from cloud.tasks.models import Task
from cloud.tasks.rules import (
    RESTOCK_DUE,
    PersonMetrics,
    TaskError,
    next_status,
    person_metrics,
    restock_due,
)

LANE_ALERTS = tuple(RESTOCK_DUE)


def create(
    session: Session,
    *,
    store_id: int,
    kind: str,
    title: str,
    now: datetime,
    by: str | None,
    note: str = "",
    source: str | None = None,
    due_at: datetime | None = None,
    assignee: str | None = None,
    priority: str = "normal",
) -> Task:
    task = Task(
        store_id=store_id, kind=kind, title=title, note=note, source=source, due_at=due_at,
        assignee=assignee, priority=priority, created_by=by, created_at=now, status="open",
    )  # fmt: skip
    session.add(task)
    session.flush()
    return task


def get(session: Session, task_id: int, *, lock: bool = False) -> Task:
    task = repository.get(session, task_id, lock=lock)
    if task is None:
        raise NotFoundError(f"task {task_id} not found")
    return task


def find(session: Session, task_id: int) -> Task | None:
    return repository.get(session, task_id) if 1 <= task_id <= 2**31 - 1 else None


def act(
    session: Session,
    task: Task,
    action: str,
    *,
    by: str,
    now: datetime,
    assignee: str | None = None,
    may_override: bool = False,
) -> Task:
    """Apply ``action`` (assign, start, done, cancel) by ``by``.

    Starting or finishing a task assigned to someone else is a conflict unless the caller
    ``may_override`` (a manager); starting an unassigned task takes it.
    """
    session.refresh(task, with_for_update=True)
    try:
        status = next_status(task.status, action)
    except TaskError as exc:
        raise InvalidTransitionError(f"task {task.id}: {exc}") from exc
    if action in ("start", "done") and task.assignee not in (None, by) and not may_override:
        raise ConflictError(f"task {task.id} is assigned to {task.assignee}")
    if action == "assign":
        task.assignee = assignee
    elif action == "start":
        task.started_at, task.assignee = now, task.assignee or by
    else:
        task.done_at, task.done_by = now, by
        task.open_key = None
    task.status = status
    session.flush()
    if task.kind == "restock" and task.source and status in ("done", "cancelled"):
        for alert in alerts.open_at_source(session, task.store_id, task.source, LANE_ALERTS):
            alerts.resolve(session, alert.id, by=by, now=now)
    return task


def follow_lane(
    session: Session, *, store_id: int, source: str, now: datetime, by: str | None = None
) -> Task | None:
    """Bring the lane's restock task in line with its low/out alerts (after a stock event or
    an alert resolved by hand); returns the task opened, updated or closed, if any."""
    key = repository.restock_key(store_id, source)
    open_alerts = alerts.open_at_source(session, store_id, source, LANE_ALERTS)
    task = repository.by_open_key(session, key)
    if not open_alerts:
        if task is None:
            return None
        task.status, task.done_at, task.open_key = "done", now, None
        task.done_by = by or task.assignee
        session.flush()
        return task
    if task is None:
        repository.insert_open_restock(session, _restock_row(store_id, source, open_alerts, key))
        task = repository.by_open_key(session, key)
        if task is None:  # closed by a concurrent worker between the two statements
            return follow_lane(session, store_id=store_id, source=source, now=now, by=by)
    types = [a.type for a in open_alerts]
    task.due_at = min(task.due_at or now, restock_due((a.type, a.opened_at) for a in open_alerts))
    task.priority = "high" if "out_of_stock" in types else task.priority
    task.alert_id = open_alerts[-1].id if "out_of_stock" in types else task.alert_id
    session.flush()
    return task


def _restock_row(
    store_id: int, source: str, open_alerts: Sequence[Alert], key: str
) -> dict[str, Any]:
    first = open_alerts[0]
    product = str(first.details.get("product") or first.details.get("sku") or source)
    types = [a.type for a in open_alerts]
    return {
        "store_id": store_id,
        "kind": "restock",
        "title": product[:200],  # the page says "restock" in the reader's words
        "note": "",
        "source": source,
        "alert_id": first.id,
        "open_key": key,
        "status": "open",
        "priority": "high" if "out_of_stock" in types else "normal",
        "created_at": first.opened_at,
        "due_at": restock_due((a.type, a.opened_at) for a in open_alerts),
    }


def alert_resolved(session: Session, alert: Alert, *, by: str, now: datetime) -> Task | None:
    """A low/out alert resolved by a person closes the lane's task when none stays open."""
    if alert.type not in LANE_ALERTS:
        return None
    return follow_lane(session, store_id=alert.store_id, source=alert.source, now=now, by=by)


def escalate_overdue(session: Session, now: datetime) -> list[Task]:
    """Flag every open task past its due time once (high priority); the caller tells people."""
    due = list(repository.overdue(session, now))
    for task in due:
        task.escalated_at, task.priority = now, "high"
    session.flush()
    return due


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    statuses: Sequence[str] | None = None,
    kind: str | None = None,
    assignee: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[Task], int]:
    return repository.page(
        session, store_ids=store_ids, statuses=statuses, kind=kind, assignee=assignee,
        limit=limit, offset=offset,
    )  # fmt: skip


def metrics(
    session: Session, store_ids: Collection[int], start: datetime, end: datetime, now: datetime
) -> list[PersonMetrics]:
    """Per person over [start, end): see :func:`cloud.tasks.rules.person_metrics`."""
    return person_metrics(repository.for_metrics(session, store_ids, start, end), now)
