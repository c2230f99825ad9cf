"""Idempotency keys of applied events, the dead-letter table and each node's ack floor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
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
    boot: Mapped[int | None] = mapped_column(BigInteger, default=None)
    type: Mapped[str] = mapped_column(String(32))
    processed_at: Mapped[datetime]
    digest: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256 of the event's content (contracts.strict.body_digest); NULL before 0170."""


class DeadLetter(Base):
    """A rejected message; ``store``/``node``/``boot``/``seq`` when it still says whose event
    it was (topic and envelope), so the ack floor can pass it (SPEC §4)."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        CheckConstraint(f"status IN {DEAD_LETTER_STATUSES!r}", name="status"),
        Index("ix_dead_letters_store_node_seq", "store", "node", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(300))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(index=True)
    replayed_at: Mapped[datetime | None] = mapped_column(default=None)
    store: Mapped[str | None] = mapped_column(String(32), default=None)
    node: Mapped[str | None] = mapped_column(String(32), default=None)
    boot: Mapped[int | None] = mapped_column(BigInteger, default=None)
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    digest: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    """SHA-256 of the message as received, so repeats of one bad message are grouped."""


class DeliveryFloor(Base):
    """Per node, the highest seq below which every event is applied or dead-lettered: what
    the cloud acks on ``.../ack``. Only ever raised, so acks are monotone."""

    __tablename__ = "delivery_floors"

    store: Mapped[str] = mapped_column(String(32), primary_key=True)
    node: Mapped[str] = mapped_column(String(32), primary_key=True)
    boot: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
