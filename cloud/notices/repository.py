"""Notice queries: the ones a store should show now, and the ones a viewer may manage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud.notices.models import Notice


def current_for(
    session: Session, store_ids: Sequence[int], now: datetime, limit: int = 5
) -> list[Notice]:
    """Live notices for these stores (and chain-wide ones), newest first."""
    stmt = (
        select(Notice)
        .where(or_(Notice.store_id.in_(list(store_ids)), Notice.store_id.is_(None)))
        .where(Notice.withdrawn.is_(False))
        .where(or_(Notice.expires_at.is_(None), Notice.expires_at > now))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def listing(
    session: Session, store_ids: Sequence[int] | None, limit: int = 100, offset: int = 0
) -> list[Notice]:
    """Every notice (admin: ``store_ids`` None) or those of the given stores plus chain-wide."""
    stmt = select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc())
    if store_ids is not None:
        stmt = stmt.where(or_(Notice.store_id.in_(list(store_ids)), Notice.store_id.is_(None)))
    return list(session.scalars(stmt.limit(limit).offset(offset)))
