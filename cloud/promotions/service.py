"""Promotions are stored as the contract's rule JSON, validated on every write, and each
change republishes the price book of the stores it concerns."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.products.changes import ChangeNotifier
from cloud.promotions import repository
from cloud.promotions.models import Promotion
from cloud.promotions.rules import validate_rule
from cloud.stores.models import Store


def _validated(rule: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate_rule(rule).model_dump(mode="json")
    except ValidationError as exc:
        raise ValidationFailedError(f"invalid promotion rule: {exc.errors()[:3]}") from exc


def _notify(session: Session, row: Promotion, publisher: ChangeNotifier | None) -> None:
    if publisher is None:
        return
    if row.store_id is None:
        publisher.changed(session)
    else:
        store = session.get(Store, row.store_id)
        publisher.changed(session, [store.code] if store else None)


def create_promotion(
    session: Session,
    rule: dict[str, Any],
    *,
    store_id: int | None = None,
    publisher: ChangeNotifier | None = None,
) -> Promotion:
    data = _validated(rule)
    if repository.by_code(session, data["id"]) is not None:
        raise ConflictError(f"promotion {data['id']!r} already exists")
    window = data.get("window") or {}
    row = Promotion(
        code=data["id"],
        name=data["name"],
        kind=data["kind"],
        rule=data,
        store_id=store_id,
        starts_at=_ts(window.get("starts_at")),
        ends_at=_ts(window.get("ends_at")),
        updated_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    _notify(session, row, publisher)
    return row


def update_promotion(
    session: Session,
    code: str,
    rule: dict[str, Any] | None = None,
    *,
    active: bool | None = None,
    publisher: ChangeNotifier | None = None,
) -> Promotion:
    row = get_promotion(session, code)
    if rule is not None:
        data = _validated({**rule, "id": code})
        window = data.get("window") or {}
        row.rule, row.name, row.kind = data, data["name"], data["kind"]
        row.starts_at, row.ends_at = _ts(window.get("starts_at")), _ts(window.get("ends_at"))
    if active is not None:
        row.active = active
    row.updated_at = datetime.now(UTC)
    session.flush()
    _notify(session, row, publisher)
    return row


def get_promotion(session: Session, code: str) -> Promotion:
    row = repository.by_code(session, code)
    if row is None:
        raise NotFoundError(f"promotion {code!r} not found")
    return row


def active_promotions(
    session: Session, at: datetime, store_id: int | None = None
) -> Sequence[Promotion]:
    return repository.active_at(session, at, store_id)


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def find_promotion(session: Session, code: str) -> Promotion | None:
    """The promotion, or None (``get_promotion`` raises instead)."""
    return repository.by_code(session, code)


def visible(session: Session, store_ids: Collection[int] | None) -> list[Promotion]:
    """Chain-wide promotions and those of ``store_ids`` (None: every promotion), by code."""
    return repository.visible(session, store_ids)


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    active: bool | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Promotion], int]:
    """Chain-wide promotions and those of ``store_ids`` (None: all), filtered; one page and
    the count."""
    return repository.page(
        session, store_ids=store_ids, active=active, kind=kind, limit=limit, offset=offset
    )
