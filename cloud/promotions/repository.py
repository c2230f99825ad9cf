"""Promotion queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.promotions.models import Promotion


def by_code(session: Session, code: str) -> Promotion | None:
    return session.scalars(select(Promotion).where(Promotion.code == code)).one_or_none()


def active_at(session: Session, at: datetime, store_id: int | None = None) -> Sequence[Promotion]:
    stmt = (
        select(Promotion)
        .where(Promotion.active.is_(True))
        .where(or_(Promotion.starts_at.is_(None), Promotion.starts_at <= at))
        .where(or_(Promotion.ends_at.is_(None), Promotion.ends_at > at))
        .order_by(Promotion.code)
    )
    if store_id is not None:
        stmt = stmt.where(or_(Promotion.store_id.is_(None), Promotion.store_id == store_id))
    return session.scalars(stmt).all()


def _visible(store_ids: Collection[int] | None) -> Select[Promotion]:
    stmt = select(Promotion).order_by(Promotion.code)
    if store_ids is not None:
        stmt = stmt.where(
            or_(Promotion.store_id.is_(None), Promotion.store_id.in_(sorted(store_ids)))
        )
    return stmt


def visible(session: Session, store_ids: Collection[int] | None) -> list[Promotion]:
    """Chain-wide promotions and those of ``store_ids`` (None: every promotion), by code."""
    return list(session.scalars(_visible(store_ids)))


def page(
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
    stmt = _visible(store_ids)
    if active is not None:
        stmt = stmt.where(Promotion.active.is_(active))
    if kind is not None:
        stmt = stmt.where(Promotion.kind == kind)
    return paged(session, stmt, limit, offset)
