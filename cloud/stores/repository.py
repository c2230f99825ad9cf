"""Store queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.stores.models import Store


def by_code(session: Session, code: str) -> Store | None:
    return session.scalars(select(Store).where(Store.code == code)).one_or_none()


def all_stores(session: Session, *, active_only: bool = False) -> Sequence[Store]:
    stmt = select(Store).order_by(Store.code)
    if active_only:
        stmt = stmt.where(Store.active.is_(True))
    return session.scalars(stmt).all()


def ids_by_code(session: Session) -> dict[str, int]:
    return {code: sid for sid, code in session.execute(select(Store.id, Store.code))}


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Store], int]:
    """Stores by code among ``store_ids`` (None: all), one page, and how many match."""
    stmt = select(Store).order_by(Store.code)
    if store_ids is not None:
        stmt = stmt.where(Store.id.in_(sorted(store_ids)))
    if active is not None:
        stmt = stmt.where(Store.active.is_(active))
    return paged(session, stmt, limit, offset)


def codes(session: Session, ids: Collection[int] | None = None) -> dict[int, str]:
    """Store id → code, of ``ids`` (None: every store)."""
    stmt = select(Store.id, Store.code)
    if ids is not None:
        if not ids:
            return {}
        stmt = stmt.where(Store.id.in_(ids))
    return {sid: code for sid, code in session.execute(stmt)}


def among(session: Session, store_ids: Collection[int] | None) -> list[Store]:
    """Stores by code among ``store_ids`` (None: every store)."""
    stmt = select(Store).order_by(Store.code)
    if store_ids is not None:
        stmt = stmt.where(Store.id.in_(sorted(store_ids)))
    return list(session.scalars(stmt))
