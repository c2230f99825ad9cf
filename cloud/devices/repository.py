"""Device queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

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
