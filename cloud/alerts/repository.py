"""Alert queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
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
