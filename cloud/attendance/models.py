"""Clocked shifts (one row per clock-in, open while ``clock_out_at`` is null; at most one open
per user) and the rota of planned shifts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base


class Shift(Base):
    __tablename__ = "attendance_shifts"
    __table_args__ = (
        Index("ix_attendance_shifts_store_id_clock_in_at", "store_id", "clock_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(64), index=True)
    clock_in_at: Mapped[datetime]
    clock_out_at: Mapped[datetime | None] = mapped_column(default=None)


class RotaShift(Base):
    """A planned shift (the rota): who should work at the store from ``starts_at`` to
    ``ends_at``. The timesheet compares it with the clocked shifts: late and absent marks."""

    __tablename__ = "attendance_rota"
    __table_args__ = (
        Index("ix_attendance_rota_store_id_starts_at", "store_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(64), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
