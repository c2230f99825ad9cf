"""lane readings: each shelf lane's stock events, for the console's weight history

Revision ID: 0190
Revises: 0168
Create Date: 2026-12-05 00:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0190"
down_revision: str | None = "0168"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lane_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("lane", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("grams", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_lane_readings_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lane_readings")),
    )
    op.create_index("ix_lane_readings_lane_at", "lane_readings", ["store_id", "node", "lane", "at"])


def downgrade() -> None:
    op.drop_index("ix_lane_readings_lane_at", table_name="lane_readings")
    op.drop_table("lane_readings")
