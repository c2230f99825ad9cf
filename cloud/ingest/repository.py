"""Dead-letter and processed-event queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.ingest.models import DeadLetter


def dead_letters(
    session: Session, *, status: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[DeadLetter]:
    stmt = select(DeadLetter).order_by(DeadLetter.id)
    if status is not None:
        stmt = stmt.where(DeadLetter.status == status)
    return session.scalars(stmt.limit(limit).offset(offset)).all()
