"""notices to stores

Revision ID: 0140
Revises: 0120
Create Date: 2026-11-23 10:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0140"
down_revision: str | None = "0120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.CheckConstraint("level IN ('info', 'important')", name=op.f("ck_notices_level")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_notices_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_store_id"))
        batch_op.drop_index(batch_op.f("ix_notices_created_at"))
    op.drop_table("notices")
