"""Feedback queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.feedback.models import Feedback


def get(session: Session, feedback_id: int, *, lock: bool = False) -> Feedback | None:
    stmt = select(Feedback).where(Feedback.id == feedback_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def by_sale_ref(session: Session, sale_ref: str) -> Feedback | None:
    return session.scalars(select(Feedback).where(Feedback.sale_ref == sale_ref)).one_or_none()


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    with_chain: bool,
    statuses: Sequence[str] | None,
    assignee: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Feedback], int]:
    """New first, then answered, then closed; newest first within each."""
    order = case((Feedback.status == "new", 0), (Feedback.status == "answered", 1), else_=2)
    stmt = select(Feedback).order_by(order, Feedback.created_at.desc(), Feedback.id.desc())
    if store_ids is not None:
        scope = Feedback.store_id.in_(store_ids)
        stmt = stmt.where(or_(scope, Feedback.store_id.is_(None)) if with_chain else scope)
    if statuses is not None:
        stmt = stmt.where(Feedback.status.in_(statuses))
    if assignee is not None:
        stmt = stmt.where(Feedback.assignee == assignee)
    return paged(session, stmt, limit, offset)


def rating_counts(
    session: Session, store_ids: Collection[int] | None, start: datetime, end: datetime
) -> list[tuple[int | None, int | None, str, int]]:
    """(store id, rating, status, how many) for feedback received in [start, end)."""
    stmt = select(Feedback.store_id, Feedback.rating, Feedback.status, func.count()).where(
        Feedback.created_at >= start, Feedback.created_at < end
    )
    if store_ids is not None:
        stmt = stmt.where(Feedback.store_id.in_(store_ids))
    stmt = stmt.group_by(Feedback.store_id, Feedback.rating, Feedback.status)
    return [(r[0], r[1], r[2], int(r[3])) for r in session.execute(stmt)]
