"""Sales queries, and the bulk writer of sale ingest on PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.db.upsert import driver_connection, json_rows, rows_json, table_of
from cloud.finance.models import RevenueEntry
from cloud.inventory.models import Movement
from cloud.sales.models import Sale, SaleDiscount, SaleLine, Tender
from cloud.stores.models import Store

Tagged = Sequence[dict[str, Any]]
"""Rows each with the ``sale_id`` of their sale under ``_sale``."""


def by_sale_id(session: Session, sale_id: str) -> Sale | None:
    return session.scalars(select(Sale).where(Sale.sale_id == sale_id)).one_or_none()


def member_figures(session: Session, since: datetime) -> dict[int, tuple[Decimal, int]]:
    """member id → (spend, visits) of the sales completed since ``since``."""
    rows = session.execute(
        select(Sale.member_id, func.coalesce(func.sum(Sale.total), 0), func.count(Sale.id))
        .where(Sale.member_id.is_not(None), Sale.completed_at >= since)
        .group_by(Sale.member_id)
    ).all()
    return {int(m or 0): (Decimal(str(s)).quantize(Decimal("0.01")), int(n)) for m, s, n in rows}


def lines(session: Session, sale_pk: int) -> Sequence[SaleLine]:
    return session.scalars(
        select(SaleLine).where(SaleLine.sale_pk == sale_pk).order_by(SaleLine.line_no)
    ).all()


def tenders(session: Session, sale_pk: int) -> Sequence[Tender]:
    return session.scalars(
        select(Tender).where(Tender.sale_pk == sale_pk).order_by(Tender.id)
    ).all()


def discounts(session: Session, sale_pk: int) -> Sequence[SaleDiscount]:
    return session.scalars(
        select(SaleDiscount).where(SaleDiscount.sale_pk == sale_pk).order_by(SaleDiscount.id)
    ).all()


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    since: datetime | None,
    until: datetime | None,
    node: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Sale], int]:
    """Newest first among ``store_ids`` (None: all stores), one page, and how many match."""
    stmt = select(Sale).order_by(Sale.completed_at.desc(), Sale.id.desc())
    if store_ids is not None:
        stmt = stmt.where(Sale.store_id.in_(store_ids))
    if since is not None:
        stmt = stmt.where(Sale.completed_at >= since)
    if until is not None:
        stmt = stmt.where(Sale.completed_at < until)
    if node is not None:
        stmt = stmt.where(Sale.node == node)
    return paged(session, stmt, limit, offset)


def query(
    session: Session,
    *,
    store: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Sale]:
    stmt = select(Sale).order_by(Sale.completed_at.desc(), Sale.id.desc())
    if store is not None:
        stmt = stmt.join(Store, Store.id == Sale.store_id).where(Store.code == store)
    if since is not None:
        stmt = stmt.where(Sale.completed_at >= since)
    if until is not None:
        stmt = stmt.where(Sale.completed_at < until)
    return session.scalars(stmt.limit(limit).offset(offset)).all()


# The child tables of a sale: (model, foreign key to sales.id or None, columns).
_CHILDREN: tuple[tuple[Any, str | None, tuple[str, ...]], ...] = (
    (
        SaleLine,
        "sale_pk",
        ("line_no", "product_id", "gtin", "name", "qty", "unit_price", "amount", "discount"),
    ),
    (SaleDiscount, "sale_pk", ("line_no", "promotion", "amount")),
    (Tender, "sale_pk", ("method", "amount", "reference", "provider")),
    (
        Movement,
        None,
        (
            "store_id",
            "product_id",
            "gtin",
            "kind",
            "qty",
            "unit_cost",
            "reference",
            "reason",
            "occurred_at",
        ),
    ),
    (RevenueEntry, "sale_pk", ("store_id", "occurred_at", "revenue", "discount", "tax", "cost")),
)
_HEADER_COLUMNS = (
    "sale_id",
    "store_id",
    "node",
    "event_id",
    "completed_at",
    "currency",
    "member_id",
    "member_ref",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "change",
    "tax_inclusive",
    "points_earned",
    "note",
    "received_at",
)


def _child_insert(name: str, table: Table, fk: str | None, columns: Sequence[str]) -> str:
    targets = ", ".join(f'"{c}"' for c in ([fk] if fk else []) + list(columns))
    values = ", ".join((["h.id"] if fk else []) + [f'u."{c}"' for c in columns])
    return (
        f"{name} AS (INSERT INTO {table.name} ({targets}) "  # noqa: S608 (model names)
        f"SELECT {values} FROM {json_rows(table, columns, extra='_sale')} "
        "JOIN h ON h.sale_id = u._sale)"
    )


@cache
def _write_sales_sql() -> str:
    """Built on first use (nothing at import time), then constant, so psycopg prepares it."""
    sales = table_of(Sale)
    targets = ", ".join(f'"{c}"' for c in _HEADER_COLUMNS)
    parts = [
        f"h AS (INSERT INTO {sales.name} ({targets}) "  # noqa: S608
        f"SELECT * FROM {json_rows(sales, _HEADER_COLUMNS)} ORDER BY sale_id "
        "ON CONFLICT DO NOTHING RETURNING id, sale_id)"
    ]
    for i, (model, fk, columns) in enumerate(_CHILDREN):
        parts.append(_child_insert(f"c{i}", table_of(model), fk, columns))
    return f"WITH {', '.join(parts)} SELECT sale_id FROM h"  # noqa: S608


def write_sales_pg(
    session: Session,
    headers: Sequence[dict[str, Any]],
    *,
    lines: Tagged,
    discounts: Tagged,
    tenders: Tagged,
    movements: Tagged,
    revenue: Tagged,
) -> set[str]:
    """Insert the headers that are new (by ``sale_id``) and, for those only, their rows.

    One statement per batch: the headers' ``RETURNING`` feeds the child inserts in the same
    query (foreign keys are checked at its end), so a sale already recorded, by this or a
    concurrent worker, gets nothing, with no round trip in between. Returns the new sale ids.
    """
    params = [rows_json(rows) for rows in (headers, lines, discounts, tenders, movements, revenue)]
    with driver_connection(session).cursor() as cur:
        cur.execute(_write_sales_sql(), params)
        return {str(r[0]) for r in cur.fetchall()}
