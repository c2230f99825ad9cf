"""learned unit weights: per store and product, what its shelf learned (issue 17)

Revision ID: 0250
Revises: 0220
Create Date: 2026-12-05 22:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0250"
down_revision: str | None = "0220"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learned_unit_weights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("lane", sa.String(length=64), nullable=False),
        sa.Column("unit_weight_g", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("spread_g", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("units_learned", sa.Integer(), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_learned_unit_weights_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_learned_unit_weights_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_unit_weights")),
        sa.UniqueConstraint(
            "store_id", "product_id", name=op.f("uq_learned_unit_weights_store_id_product_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("learned_unit_weights")
