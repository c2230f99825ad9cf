"""content digests on processed events and dead letters (issue 15: a reused event_id)

Revision ID: 0170
Revises: 0161
Create Date: 2026-12-05 01:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0170"
down_revision: str | None = "0161"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch.create_index("ix_dead_letters_digest", ["digest"])


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_index("ix_dead_letters_digest")
        batch.drop_column("digest")
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("digest")
