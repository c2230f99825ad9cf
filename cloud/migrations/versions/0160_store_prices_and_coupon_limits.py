"""store prices and coupon limits

A store's own price, member price and availability of chain products (``store_prices``),
head office's limits on managers' coupons (``coupon_limits``; no row = the defaults of
cloud.members.limits), the cap on a campaign's codes and who issued a coupon by hand. The
``hq`` role needs no schema change: ``users.role`` is a string checked by cloud.auth.models.Role.

Revision ID: 0160
Revises: 0150
Create Date: 2026-12-04 20:43:20+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0160"
down_revision: str | None = "0150"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("max_percent_off", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("max_amount_off", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("max_valid_days", sa.Integer(), nullable=False),
        sa.Column("max_campaign_coupons", sa.Integer(), nullable=False),
        sa.Column("max_issued_per_day", sa.Integer(), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_limits")),
    )
    op.create_table(
        "store_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("member_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_store_prices_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_store_prices_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_prices")),
        sa.UniqueConstraint(
            "store_id", "product_id", name=op.f("uq_store_prices_store_id_product_id")
        ),
    )
    with op.batch_alter_table("store_prices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_store_prices_product_id"), ["product_id"], unique=False
        )

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_coupons", sa.Integer(), nullable=True))

    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_column("issued_by_id")

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("max_coupons")

    with op.batch_alter_table("store_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_prices_product_id"))

    op.drop_table("store_prices")
    op.drop_table("coupon_limits")
