"""Store queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

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
