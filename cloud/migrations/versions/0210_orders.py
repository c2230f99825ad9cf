"""online orders and their lines

Revision ID: 0210
Revises: 0205
Create Date: 2026-12-05 22:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0210"
down_revision: str | None = "0205"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "placed",
    "picking",
    "ready",
    "out_for_delivery",
    "collected",
    "delivered",
    "cancelled",
)


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, cloud.db.base.UtcDateTime(timezone=True), nullable=nullable)


def _money(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Numeric(precision=14, scale=2), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("fulfilment", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pickup_code", sa.String(length=8), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("subtotal"),
        _money("discount_total"),
        _money("tax_total"),
        _money("total"),
        sa.Column("tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("payment_ref", sa.String(length=64), nullable=False),
        sa.Column("refund_ref", sa.String(length=64), nullable=True),
        _money("refunded", nullable=True),
        sa.Column("picker", sa.String(length=64), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("sale_id", sa.String(length=200), nullable=True),
        _at("placed_at", nullable=False),
        _at("due_at", nullable=False),
        _at("picking_at"),
        _at("ready_at"),
        _at("dispatched_at"),
        _at("closed_at"),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name=op.f("ck_orders_status")),
        sa.CheckConstraint(
            "channel IN ('web', 'miniprogram', 'phone')", name=op.f("ck_orders_channel")
        ),
        sa.CheckConstraint(
            "fulfilment IN ('pickup', 'delivery')", name=op.f("ck_orders_fulfilment")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_orders_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("order_id", name=op.f("uq_orders_order_id")),
        sa.UniqueConstraint("store_id", "pickup_code", name=op.f("uq_orders_store_id_pickup_code")),
    )
    op.create_index("ix_orders_store_id_status", "orders", ["store_id", "status"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("qty", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("picked", sa.Numeric(precision=14, scale=3), nullable=False),
        _money("unit_price"),
        _money("amount"),
        sa.Column("discounts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_pk_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_pk", "line_no", name=op.f("uq_order_lines_order_pk_line_no")),
    )
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_lines_product_id"), table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index("ix_orders_store_id_status", table_name="orders")
    op.drop_table("orders")
