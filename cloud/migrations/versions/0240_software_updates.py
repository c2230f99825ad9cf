"""software updates: releases, rollouts, their target nodes and node rings

Revision ID: 0240
Revises: 0210
Create Date: 2026-12-05 21:45:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0240"
down_revision: str | None = "0210"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = cloud.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "update_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("node_kinds", sa.String(length=64), nullable=False),
        sa.Column("min_version", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_releases")),
        sa.UniqueConstraint("version", name=op.f("uq_update_releases_version")),
    )
    op.create_table(
        "update_rollouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("ring", sa.String(length=8), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("failure_threshold", sa.Integer(), nullable=False),
        sa.Column("halt_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'paused', 'halted', 'aborted', 'done')",
            name=op.f("ck_update_rollouts_status"),
        ),
        sa.CheckConstraint(
            "ring IN ('canary', 'store', 'all')", name=op.f("ck_update_rollouts_ring")
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["update_releases.id"],
            name=op.f("fk_update_rollouts_release_id_update_releases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_rollouts")),
    )
    op.create_index(
        op.f("ix_update_rollouts_release_id"), "update_rollouts", ["release_id"], unique=False
    )
    op.create_table(
        "update_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rollout_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("ring", sa.String(length=8), nullable=False),
        sa.Column("from_version", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'staged', 'trial', 'ok', 'failed', 'rolled_back')",
            name=op.f("ck_update_targets_status"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_update_targets_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rollout_id"],
            ["update_rollouts.id"],
            name=op.f("fk_update_targets_rollout_id_update_rollouts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_targets")),
        sa.UniqueConstraint(
            "rollout_id", "device_id", name=op.f("uq_update_targets_rollout_id_device_id")
        ),
    )
    op.create_index(
        op.f("ix_update_targets_device_id"), "update_targets", ["device_id"], unique=False
    )
    op.create_index(
        op.f("ix_update_targets_rollout_id"), "update_targets", ["rollout_id"], unique=False
    )
    op.create_table(
        "update_rings",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("ring", sa.String(length=8), nullable=False),
        sa.CheckConstraint("ring IN ('canary', 'store', 'all')", name=op.f("ck_update_rings_ring")),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_update_rings_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_update_rings")),
    )


def downgrade() -> None:
    op.drop_table("update_rings")
    op.drop_index(op.f("ix_update_targets_rollout_id"), table_name="update_targets")
    op.drop_index(op.f("ix_update_targets_device_id"), table_name="update_targets")
    op.drop_table("update_targets")
    op.drop_index(op.f("ix_update_rollouts_release_id"), table_name="update_rollouts")
    op.drop_table("update_rollouts")
    op.drop_table("update_releases")
