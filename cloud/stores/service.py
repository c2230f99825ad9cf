"""Store operations used by the API, seed and ingest."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, NotFoundError
from cloud.stores import localtime, repository
from cloud.stores.models import Store

DEFAULT_PAYMENT_METHODS = ["cash", "card", "mobile", "points", "coupon"]


def create_store(session: Session, code: str, name: str, **fields: Any) -> Store:
    from contracts.topics import validate_id

    validate_id(code, "store")
    if repository.by_code(session, code) is not None:
        raise ConflictError(f"store {code!r} already exists")
    fields.setdefault("payment_methods", list(DEFAULT_PAYMENT_METHODS))
    store = Store(code=code, name=name, **fields)
    session.add(store)
    session.flush()
    return store


def get_store(session: Session, code: str) -> Store:
    store = repository.by_code(session, code)
    if store is None:
        raise NotFoundError(f"store {code!r} not found")
    return store


def list_stores(session: Session) -> Sequence[Store]:
    return repository.all_stores(session)


def update_store(session: Session, code: str, **fields: Any) -> Store:
    store = get_store(session, code)
    for key, value in fields.items():
        if not hasattr(Store, key) or key in ("id", "code", "pricebook_version"):
            raise ValueError(f"cannot set store field {key!r}")
        setattr(store, key, value)
    session.flush()
    return store


def next_pricebook_version(session: Session, store_id: int) -> int:
    """Atomic increment, so concurrent publishers never hand out the same version."""
    result = session.execute(
        update(Store)
        .where(Store.id == store_id)
        .values(pricebook_version=Store.pricebook_version + 1)
        .returning(Store.pricebook_version)
    ).scalar_one()
    return int(result)


def find_store(session: Session, code: str) -> Store | None:
    """The store, or None (``get_store`` raises instead)."""
    return repository.by_code(session, code)


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Store], int]:
    """Stores by code among ``store_ids`` (None: all), one page, and how many match."""
    return repository.page(session, store_ids=store_ids, active=active, limit=limit, offset=offset)


def codes(session: Session, ids: Collection[int] | None = None) -> dict[int, str]:
    """Store id → code, of ``ids`` (None: every store), to label rows that carry a store id."""
    return repository.codes(session, ids)


def store_by_id(session: Session, store_id: int) -> Store | None:
    return session.get(Store, store_id)


def among(session: Session, store_ids: Collection[int] | None) -> list[Store]:
    """Stores by code among ``store_ids`` (None: every store)."""
    return repository.among(session, store_ids)


def common_zone_of(session: Session, store_ids: Collection[int] | None) -> ZoneInfo:
    """The zone all these stores share (None: every store); UTC when they differ."""
    return localtime.common_zone(s.timezone for s in among(session, store_ids))
