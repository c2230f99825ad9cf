"""Device queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.devices.models import Device
from cloud.stores.models import Store


def by_store_node(session: Session, store: str, node: str) -> Device | None:
    stmt = (
        select(Device)
        .join(Store, Store.id == Device.store_id)
        .where(Store.code == store, Device.node == node)
    )
    return session.scalars(stmt).one_or_none()


def for_store(session: Session, store: str) -> Sequence[Device]:
    stmt = (
        select(Device)
        .join(Store, Store.id == Device.store_id)
        .where(Store.code == store)
        .order_by(Device.node)
    )
    return session.scalars(stmt).all()


def registry(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """(store code, node) → (store id, device id) for every registered device."""
    rows = session.execute(
        select(Store.code, Device.node, Store.id, Device.id).join(
            Store, Store.id == Device.store_id
        )
    )
    return {(code, node): (sid, did) for code, node, sid, did in rows}


def page_in_store(
    session: Session,
    store_id: int,
    *,
    online: bool | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Device], int]:
    """The store's devices by node, filtered, one page, and how many match."""
    stmt = select(Device).where(Device.store_id == store_id).order_by(Device.node)
    if online is not None:
        stmt = stmt.where(Device.online.is_(online))
    if kind is not None:
        stmt = stmt.where(Device.kind == kind)
    return paged(session, stmt, limit, offset)


def in_store(session: Session, store_id: int) -> Sequence[Device]:
    return session.scalars(
        select(Device).where(Device.store_id == store_id).order_by(Device.node)
    ).all()


def in_store_node(session: Session, store_id: int, node: str) -> Device | None:
    return session.scalars(
        select(Device).where(Device.store_id == store_id, Device.node == node)
    ).one_or_none()


def every(session: Session) -> Sequence[Device]:
    return session.scalars(select(Device)).all()


def online_counts(session: Session, store_id: int) -> dict[bool, int]:
    """online → number of the store's devices."""
    rows = session.execute(
        select(Device.online, func.count())
        .where(Device.store_id == store_id)
        .group_by(Device.online)
    )
    return {bool(online): int(n) for online, n in rows}
