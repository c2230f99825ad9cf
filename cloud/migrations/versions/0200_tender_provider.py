"""sale tenders carry the payment provider

Revision ID: 0200
Revises: 0170
Create Date: 2026-12-05 00:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | None = "0170"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sale_tenders") as batch:
        batch.add_column(
            sa.Column("provider", sa.String(length=32), nullable=False, server_default="")
        )
    op.execute("UPDATE sale_tenders SET provider = method WHERE provider = ''")


def downgrade() -> None:
    with op.batch_alter_table("sale_tenders") as batch:
        batch.drop_column("provider")
