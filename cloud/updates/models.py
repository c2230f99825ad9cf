"""Releases (published bundles), rollouts, each rollout's target nodes, and node rings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

RINGS = ("canary", "store", "all")
"""Nested: ``store`` includes the canaries, ``all`` includes everything."""
ROLLOUT_STATUSES = ("running", "paused", "halted", "aborted", "done")
TARGET_STATUSES = ("pending", "sent", "staged", "trial", "ok", "failed", "rolled_back")
FINISHED = ("ok", "failed", "rolled_back")
FAILED = ("failed", "rolled_back")


class Release(Base):
    __tablename__ = "update_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    node_kinds: Mapped[str] = mapped_column(String(64))
    """Comma-separated kinds, e.g. ``kiosk,shelf``."""
    min_version: Mapped[str | None] = mapped_column(String(32), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64))


class Rollout(Base):
    __tablename__ = "update_rollouts"
    __table_args__ = (
        CheckConstraint(f"status IN {ROLLOUT_STATUSES!r}", name="status"),
        CheckConstraint(f"ring IN {RINGS!r}", name="ring"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("update_releases.id"), index=True)
    ring: Mapped[str] = mapped_column(String(8))
    """The widest ring reached so far."""
    percent: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="running")
    failure_threshold: Mapped[int] = mapped_column(Integer)
    """Percent of a ring's finished nodes that may fail before the rollout halts."""
    halt_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class RolloutTarget(Base):
    __tablename__ = "update_targets"
    __table_args__ = (
        UniqueConstraint("rollout_id", "device_id"),
        CheckConstraint(f"status IN {TARGET_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(
        ForeignKey("update_rollouts.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    ring: Mapped[str] = mapped_column(String(8))
    from_version: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    updated_at: Mapped[datetime]


class NodeRing(Base):
    """A node's rollout ring; nodes without a row are in ``all``."""

    __tablename__ = "update_rings"
    __table_args__ = (CheckConstraint(f"ring IN {RINGS!r}", name="ring"),)

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    ring: Mapped[str] = mapped_column(String(8))
