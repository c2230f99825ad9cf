"""Feedback: received (API, e-receipt page, console), then assigned, answered and closed.

A receipt gives at most one piece of feedback (its sale is named once), so a reloaded form
is a conflict rather than a duplicate. Closed is final; an answer may be rewritten until then.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, InvalidTransitionError, NotFoundError
from cloud.feedback import repository
from cloud.feedback.models import Feedback

ACTIONS = ("assign", "answer", "close")


def submit(
    session: Session,
    *,
    message: str,
    now: datetime,
    rating: int | None = None,
    store_id: int | None = None,
    member_id: int | None = None,
    sale_ref: str | None = None,
    source: str = "api",
) -> Feedback:
    if sale_ref is not None and repository.by_sale_ref(session, sale_ref) is not None:
        raise ConflictError("feedback for this receipt was received already")
    row = Feedback(
        message=message, rating=rating, store_id=store_id, member_id=member_id,
        sale_ref=sale_ref, source=source, status="new", response="", created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def get(session: Session, feedback_id: int, *, lock: bool = False) -> Feedback:
    row = repository.get(session, feedback_id, lock=lock)
    if row is None:
        raise NotFoundError(f"feedback {feedback_id} not found")
    return row


def find(session: Session, feedback_id: int) -> Feedback | None:
    return repository.get(session, feedback_id) if 1 <= feedback_id <= 2**31 - 1 else None


def for_receipt(session: Session, sale_ref: str) -> Feedback | None:
    return repository.by_sale_ref(session, sale_ref)


def act(
    session: Session,
    row: Feedback,
    action: str,
    *,
    by: str,
    now: datetime,
    assignee: str | None = None,
    response: str = "",
) -> Feedback:
    """assign (``assignee``, or None to unassign), answer (``response`` required), close."""
    session.refresh(row, with_for_update=True)
    if row.status == "closed":
        raise InvalidTransitionError(f"feedback {row.id} is closed")
    if action == "assign":
        row.assignee = assignee
    elif action == "answer":
        if not response.strip():
            raise InvalidTransitionError("an answer needs a reply")
        row.response, row.status = response.strip(), "answered"
        row.handled_by, row.handled_at = by, now
    elif action == "close":
        row.status, row.handled_by, row.handled_at = "closed", by, now
        if response.strip():
            row.response = response.strip()
    else:
        raise InvalidTransitionError(f"unknown action {action!r}")
    session.flush()
    return row


def list_page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    with_chain: bool = False,
    statuses: Sequence[str] | None = None,
    assignee: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[Feedback], int]:
    return repository.page(
        session, store_ids=store_ids, with_chain=with_chain, statuses=statuses,
        assignee=assignee, limit=limit, offset=offset,
    )  # fmt: skip


@dataclass
class RatingSummary:
    """Feedback received in a period: how many, how many rated, the mean, 1..5 counts."""

    store_id: int | None
    received: int = 0
    rated: int = 0
    average: float | None = None
    by_rating: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    by_status: dict[str, int] = field(default_factory=dict)


def roll_up(rows: Iterable[tuple[int | None, int | None, str, int]]) -> list[RatingSummary]:
    """Pure: group (store, rating, status, n) rows into one summary per store."""
    out: dict[int | None, RatingSummary] = {}
    total: dict[int | None, int] = {}
    for store_id, rating, status, n in rows:
        s = out.setdefault(store_id, RatingSummary(store_id))
        s.received += n
        s.by_status[status] = s.by_status.get(status, 0) + n
        if rating is not None and 1 <= rating <= 5:
            s.rated += n
            s.by_rating[rating] += n
            total[store_id] = total.get(store_id, 0) + rating * n
    for store_id, s in out.items():
        s.average = round(total[store_id] / s.rated, 2) if s.rated else None
    return sorted(out.values(), key=lambda s: (s.store_id is None, s.store_id or 0))


def ratings(
    session: Session, store_ids: Collection[int] | None, start: datetime, end: datetime
) -> list[RatingSummary]:
    """Per store, feedback received in [start, end) (reports)."""
    return roll_up(repository.rating_counts(session, store_ids, start, end))
