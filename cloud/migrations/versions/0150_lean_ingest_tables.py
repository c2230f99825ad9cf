"""lean ingest tables: no foreign keys on a sale's child rows, composite indexes

Revision ID: 0150
Revises: 0140
Create Date: 2026-11-23 12:30:00+00:00

Every sale writes ~15 rows; their foreign-key checks and single-column indexes were half of
PostgreSQL's work per sale (docs/decisions/0150-lean-ingest-tables.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0150"
down_revision: str | None = "0140"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, constraint, column, referred table, on delete)
_FKS = (
    ("sale_lines", "fk_sale_lines_sale_pk_sales", "sale_pk", "sales", "CASCADE"),
    ("sale_lines", "fk_sale_lines_product_id_products", "product_id", "products", "SET NULL"),
    ("sale_discounts", "fk_sale_discounts_sale_pk_sales", "sale_pk", "sales", "CASCADE"),
    ("sale_tenders", "fk_sale_tenders_sale_pk_sales", "sale_pk", "sales", "CASCADE"),
    (
        "inventory_movements",
        "fk_inventory_movements_store_id_stores",
        "store_id",
        "stores",
        "CASCADE",
    ),
    (
        "inventory_movements",
        "fk_inventory_movements_product_id_products",
        "product_id",
        "products",
        "SET NULL",
    ),
    ("revenue_entries", "fk_revenue_entries_sale_pk_sales", "sale_pk", "sales", "CASCADE"),
    ("revenue_entries", "fk_revenue_entries_store_id_stores", "store_id", "stores", "CASCADE"),
)
# (table, old single-column indexes, new composite index, its columns)
_INDEXES = (
    ("sales", ("store_id",), "ix_sales_store_id_completed_at", ("store_id", "completed_at")),
    ("sale_lines", ("product_id",), None, ()),
    (
        "inventory_movements",
        ("store_id", "product_id"),
        "ix_inventory_movements_store_id_product_id",
        ("store_id", "product_id"),
    ),
    (
        "revenue_entries",
        ("store_id", "occurred_at"),
        "ix_revenue_entries_store_id_occurred_at",
        ("store_id", "occurred_at"),
    ),
)


def upgrade() -> None:
    for table in sorted({t for t, *_ in _FKS} | {t for t, *_ in _INDEXES}):
        with op.batch_alter_table(table) as batch:
            for t, name, *_ in _FKS:
                if t == table:
                    batch.drop_constraint(name, type_="foreignkey")
            for t, old, new, columns in _INDEXES:
                if t == table:
                    for column in old:
                        batch.drop_index(f"ix_{table}_{column}")
                    if new is not None:
                        batch.create_index(new, list(columns))


def downgrade() -> None:
    for table in sorted({t for t, *_ in _FKS} | {t for t, *_ in _INDEXES}):
        with op.batch_alter_table(table) as batch:
            for t, old, new, _columns in _INDEXES:
                if t == table:
                    if new is not None:
                        batch.drop_index(new)
                    for column in old:
                        batch.create_index(f"ix_{table}_{column}", [column])
            for t, name, column, referred, ondelete in _FKS:
                if t == table:
                    batch.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)
