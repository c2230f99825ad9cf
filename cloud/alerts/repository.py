"""Alert queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.db.paging import paged
from cloud.stores.models import Store

OPEN_STATUSES = ("active_unack", "active_ack")


def open_key(store_id: int, source: str, alert_type: str) -> str:
    return f"{store_id}|{source}|{alert_type}"


def by_open_key(session: Session, key: str) -> Alert | None:
    return session.scalars(select(Alert).where(Alert.open_key == key)).one_or_none()


def query(
    session: Session,
    *,
    store: str | None = None,
    statuses: Sequence[str] | None = None,
    alert_type: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Alert]:
    stmt = select(Alert).order_by(Alert.opened_at.desc(), Alert.id.desc())
    if store is not None:
        stmt = stmt.join(Store, Store.id == Alert.store_id).where(Store.code == store)
    if statuses:
        stmt = stmt.where(Alert.status.in_(statuses))
    if alert_type is not None:
        stmt = stmt.where(Alert.type == alert_type)
    if since is not None:
        stmt = stmt.where(Alert.opened_at >= since)
    return session.scalars(stmt.limit(limit).offset(offset)).all()


def unacknowledged_before(session: Session, cutoff: datetime) -> Sequence[Alert]:
    stmt = select(Alert).where(
        Alert.status == "active_unack", Alert.escalated.is_(False), Alert.opened_at <= cutoff
    )
    return session.scalars(stmt).all()


def page(
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
    stmt = select(Alert).order_by(Alert.opened_at.desc(), Alert.id.desc())
    if store_ids is not None:
        stmt = stmt.where(Alert.store_id.in_(store_ids))
    if statuses is not None:
        stmt = stmt.where(Alert.status.in_(statuses))
    if alert_type is not None:
        stmt = stmt.where(Alert.type == alert_type)
    if since is not None:
        stmt = stmt.where(Alert.opened_at >= since)
    return paged(session, stmt, limit, offset)


def board(session: Session, store_id: int, *, open_only: bool, limit: int) -> Sequence[Alert]:
    """The store's alerts for the console: escalated first, then newest."""
    stmt = select(Alert).where(Alert.store_id == store_id)
    if open_only:
        stmt = stmt.where(Alert.status.in_(OPEN_STATUSES))
    stmt = stmt.order_by(Alert.escalated.desc(), Alert.opened_at.desc(), Alert.id.desc())
    return session.scalars(stmt.limit(limit)).all()


def open_counts(session: Session, store_id: int) -> tuple[int, int]:
    """(open, of which escalated) alerts of the store."""
    row = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((Alert.escalated.is_(True), 1), else_=0)), 0)
        ).where(Alert.store_id == store_id, Alert.status.in_(OPEN_STATUSES))
    ).one()
    return int(row[0]), int(row[1] or 0)


def open_at_source(
    session: Session, store_id: int, source: str, types: Sequence[str]
) -> Sequence[Alert]:
    """The open alerts of these types on one source (a shelf lane), oldest first."""
    stmt = select(Alert).where(
        Alert.store_id == store_id,
        Alert.source == source,
        Alert.type.in_(types),
        Alert.status.in_(OPEN_STATUSES),
    )
    return session.scalars(stmt.order_by(Alert.opened_at, Alert.id)).all()
