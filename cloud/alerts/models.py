"""``open_key`` is set while an alert is active and NULL once cleared; its UNIQUE constraint
keeps one open alert per (store, source, type) even with several ingest workers racing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

ALERT_STATUSES = ("active_unack", "active_ack", "cleared_unack", "cleared_ack")
ALERT_TYPES = (
    "out_of_stock",
    "low_stock",
    "device_offline",
    "device_fault",
    "kiosk_intervention",
    "negative_stock",
)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (CheckConstraint(f"status IN {ALERT_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200), doc="node, node/lane or node/component")
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    status: Mapped[str] = mapped_column(String(16), default="active_unack", index=True)
    open_key: Mapped[str | None] = mapped_column(String(300), unique=True, default=None)
    message: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assignee: Mapped[str | None] = mapped_column(String(64), default=None)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertToggle(Base):
    """The last raise/clear a node reported for one (store, source, type), by the node's time.

    Two ingest workers may apply a node's raise and clear in either order. A clear that
    finds nothing open used to leave no trace, so the raise applied after it opened an alert
    the node had already cleared. This row is the trace, and the row lock that orders the two
    workers (docs/decisions/0131).
    """

    __tablename__ = "alert_toggles"

    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean)
