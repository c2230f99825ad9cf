"""One row per piece of feedback (the table predates this package: it was members').

Status: ``new`` → ``answered`` (a reply written) → ``closed``, or ``new`` → ``closed``.
``sale_ref`` is the sale an e-receipt names, unique so one receipt gives one piece of feedback.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

FEEDBACK_STATUSES = ("new", "answered", "closed")
FEEDBACK_SOURCES = ("api", "receipt", "kiosk", "console")


class Feedback(Base):
    __tablename__ = "member_feedback"
    __table_args__ = (
        CheckConstraint(f"status IN {FEEDBACK_STATUSES!r}", name="status"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True, default=None
    )
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="SET NULL"), default=None
    )
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    response: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str | None] = mapped_column(String(64), default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="api")
    sale_ref: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    assignee: Mapped[str | None] = mapped_column(String(64), default=None)
