"""One row per task. ``open_key`` is set while a restock task is open and NULL once it is done
or cancelled: its UNIQUE constraint keeps one open restock task per shelf lane even when several
ingest workers apply that lane's events at once (the alerts table does the same)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

TASK_KINDS = ("restock", "stocktake", "pick", "check_device", "custom")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
PRIORITIES = ("normal", "high")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"kind IN {TASK_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {TASK_STATUSES!r}", name="status"),
        CheckConstraint(f"priority IN {PRIORITIES!r}", name="priority"),
        Index("ix_tasks_store_id_status", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(
        String(200), default=None, doc="shelf lane (node/lane), node, SKU or order it is about"
    )
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), default=None, index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(300), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    assignee: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[str | None] = mapped_column(String(64), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
