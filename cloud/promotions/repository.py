"""Promotion queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

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
