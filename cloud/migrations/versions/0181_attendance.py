"""attendance shifts: staff clock-in and clock-out per store

Revision ID: 0181
Revises: 0180
Create Date: 2026-12-05 00:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0181"
down_revision: str | None = "0180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("clock_in_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("clock_out_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_attendance_shifts_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_shifts")),
    )
    op.create_index(
        "ix_attendance_shifts_store_id_clock_in_at",
        "attendance_shifts",
        ["store_id", "clock_in_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_shifts_username"), "attendance_shifts", ["username"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attendance_shifts_username"), table_name="attendance_shifts")
    op.drop_index("ix_attendance_shifts_store_id_clock_in_at", table_name="attendance_shifts")
    op.drop_table("attendance_shifts")
