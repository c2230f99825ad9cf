"""stores.negative_stock: flag or refuse a manual outflow below zero on hand

Revision ID: 0180
Revises: 0200
Create Date: 2026-12-05 00:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0180"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(
            sa.Column("negative_stock", sa.String(length=8), server_default="flag", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("negative_stock")
