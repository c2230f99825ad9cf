"""suppliers and purchase orders

The supplier master and the products each supplies (``suppliers``, ``supplier_items``),
purchase orders with their lines, receipts and returns to the supplier, and head office's
approval limit for managers (``purchase_limits``; decision 0230).

Revision ID: 0230
Revises: 0240
Create Date: 2026-12-05 21:34:09.797375+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0230"
down_revision: str | None = "0240"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purchase_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_max_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_limits")),
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("tax_id", sa.String(length=32), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_order_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_suppliers_lead_time_days")),
        sa.CheckConstraint("payment_terms_days >= 0", name=op.f("ck_suppliers_payment_terms_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_suppliers_code")),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("sent_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("received_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", cloud.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'sent', 'partially_received', 'received', "
            "'closed', 'cancelled')",
            name=op.f("ck_purchase_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_purchase_orders_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_purchase_orders_supplier_id_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_orders_number")),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_orders_store_id"), ["store_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("qty_ordered", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("qty_received", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("qty_damaged", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("qty_returned", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_purchase_order_lines_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
        sa.UniqueConstraint(
            "order_id", "line_no", name=op.f("uq_purchase_order_lines_order_id_line_no")
        ),
    )
    op.create_table(
        "supplier_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("min_qty", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.CheckConstraint("pack_size >= 1", name=op.f("ck_supplier_items_pack_size")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_supplier_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_items_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_items")),
        sa.UniqueConstraint(
            "supplier_id", "product_id", name=op.f("uq_supplier_items_supplier_id_product_id")
        ),
    )
    with op.batch_alter_table("supplier_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_items_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "purchase_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("damaged", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=True),
        sa.Column("received_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_purchase_receipts_line_id_purchase_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_receipts_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipts")),
    )
    with op.batch_alter_table("purchase_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_receipts_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "supplier_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=True),
        sa.Column("returned_at", cloud.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("returned_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_supplier_returns_line_id_purchase_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_supplier_returns_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_returns")),
    )
    with op.batch_alter_table("supplier_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_returns_order_id"), ["order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supplier_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_returns_order_id"))

    op.drop_table("supplier_returns")
    with op.batch_alter_table("purchase_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_receipts_order_id"))

    op.drop_table("purchase_receipts")
    with op.batch_alter_table("supplier_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_items_product_id"))

    op.drop_table("supplier_items")
    op.drop_table("purchase_order_lines")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_orders_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_orders_store_id"))

    op.drop_table("purchase_orders")
    op.drop_table("suppliers")
    op.drop_table("purchase_limits")
