"""Dead letters for the admin API: listing here; replay and discard are cloud.ingest's."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from cloud.deadletters import repository
from cloud.ingest.models import DeadLetter


def list_page(
    session: Session, *, status: str | None, topic: str | None, limit: int, offset: int
) -> tuple[Sequence[DeadLetter], int]:
    """Newest first, filtered by status and topic substring; one page and how many match."""
    return repository.page(session, status=status, topic=topic, limit=limit, offset=offset)
