"""Dead-letter reads for the admin API (the table and its writes belong to cloud.ingest)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.ingest.models import DeadLetter


def page(
    session: Session, *, status: str | None, topic: str | None, limit: int, offset: int
) -> tuple[Sequence[DeadLetter], int]:
    """Newest first, filtered by status and topic substring; one page and how many match."""
    stmt = select(DeadLetter).order_by(DeadLetter.received_at.desc(), DeadLetter.id.desc())
    if status is not None:
        stmt = stmt.where(DeadLetter.status == status)
    if topic:
        stmt = stmt.where(DeadLetter.topic.contains(topic, autoescape=True))
    return paged(session, stmt, limit, offset)
