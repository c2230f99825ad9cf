"""Task queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.db.upsert import insert_ignore
from cloud.tasks.models import Task
from cloud.tasks.rules import OPEN


def restock_key(store_id: int, source: str) -> str:
    return f"restock|{store_id}|{source}"


def by_open_key(session: Session, key: str) -> Task | None:
    return session.scalars(select(Task).where(Task.open_key == key)).one_or_none()


def get(session: Session, task_id: int, *, lock: bool = False) -> Task | None:
    stmt = select(Task).where(Task.id == task_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def insert_open_restock(session: Session, values: dict[str, object]) -> bool:
    """Insert the lane's restock task unless one is open (another worker won); True if new."""
    stmt = insert_ignore(session, Task).returning(Task.id)
    return session.execute(stmt, [values]).scalar_one_or_none() is not None


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    statuses: Sequence[str] | None,
    kind: str | None,
    assignee: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Task], int]:
    """Open work first (escalated, then by due time), then the rest newest first."""
    is_open = Task.status.in_(OPEN)
    open_due = case((is_open, Task.due_at), else_=None)
    stmt = select(Task).order_by(
        case((is_open, 0), else_=1),
        case((is_open & Task.escalated_at.is_not(None), 0), else_=1),
        case((open_due.is_(None), 1), else_=0),
        open_due,
        Task.created_at.desc(),
        Task.id.desc(),
    )
    if store_ids is not None:
        stmt = stmt.where(Task.store_id.in_(store_ids))
    if statuses is not None:
        stmt = stmt.where(Task.status.in_(statuses))
    if kind is not None:
        stmt = stmt.where(Task.kind == kind)
    if assignee is not None:
        stmt = stmt.where(Task.assignee == assignee)
    return paged(session, stmt, limit, offset)


def overdue(session: Session, now: datetime) -> Sequence[Task]:
    """Open tasks past their due time not yet escalated."""
    stmt = select(Task).where(Task.status.in_(OPEN), Task.due_at < now, Task.escalated_at.is_(None))
    return session.scalars(stmt.order_by(Task.due_at, Task.id).with_for_update()).all()


def for_metrics(
    session: Session, store_ids: Collection[int], start: datetime, end: datetime
) -> Sequence[Task]:
    """Tasks done in [start, end) and every task still open, of these stores."""
    done_in = (Task.done_at >= start) & (Task.done_at < end)
    stmt = select(Task).where(Task.store_id.in_(store_ids), or_(done_in, Task.status.in_(OPEN)))
    return session.scalars(stmt).all()
