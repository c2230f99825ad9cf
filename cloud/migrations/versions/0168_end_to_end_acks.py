"""end-to-end acks: the boot of applied events, whose event a dead letter was, ack floors

Revision ID: 0168
Revises: 0181
Create Date: 2026-12-05 00:40:00+00:00

The cloud acks each node the highest seq below which every event is applied or
dead-lettered (SPEC §4). Existing nodes start from their highest applied seq: before acks a
PUBACK counted as delivered, so anything below it is as delivered as it will ever be.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0168"
down_revision: str | None = "0181"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("boot", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("store", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("node", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("boot", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.create_index("ix_dead_letters_store_node_seq", ["store", "node", "seq"])
    op.create_table(
        "delivery_floors",
        sa.Column("store", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("boot", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store", "node", name=op.f("pk_delivery_floors")),
    )
    op.execute(
        "INSERT INTO delivery_floors (store, node, boot, seq, updated_at)"
        " SELECT store, node, 0, max(seq), CURRENT_TIMESTAMP FROM processed_events"
        " GROUP BY store, node"
    )


def downgrade() -> None:
    op.drop_table("delivery_floors")
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_index("ix_dead_letters_store_node_seq")
        for column in ("seq", "boot", "node", "store"):
            batch.drop_column(column)
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("boot")
