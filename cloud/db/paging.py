"""One page of an ordered query and the count without paging, for repositories' list reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def paged(
    session: Session, stmt: Select[Any], limit: int, offset: int
) -> tuple[Sequence[Any], int]:
    """Rows of ``stmt`` (already ordered) from ``offset``, at most ``limit``, and the total."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(limit).offset(offset)).all()
    return rows, total
