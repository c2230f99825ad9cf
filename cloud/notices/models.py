"""A notice targets one store (``store_id``) or all of them (NULL, head office only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

LEVELS = ("info", "important")


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (CheckConstraint(f"level IN {LEVELS!r}", name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(16), default="info")
    author_id: Mapped[int | None] = mapped_column(Integer, default=None)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
