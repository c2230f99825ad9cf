"""Idempotency keys of applied events and the dead-letter table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

DEAD_LETTER_STATUSES = ("new", "replayed", "failed", "discarded")


class ProcessedEvent(Base):
    """Inserted in the event's own transaction; a duplicate hits a UNIQUE and is skipped."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("store", "node", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    store: Mapped[str] = mapped_column(String(32))
    node: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(32))
    processed_at: Mapped[datetime]


class DeadLetter(Base):
    __tablename__ = "dead_letters"
    __table_args__ = (CheckConstraint(f"status IN {DEAD_LETTER_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(300))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(index=True)
    replayed_at: Mapped[datetime | None] = mapped_column(default=None)
