"""Maintaining the sales aggregates: a pure fold of sales into rows, an insert-or-add shell.

Ingest calls :func:`add_sales` in the sale's own transaction, so an aggregate can never
count a sale twice or miss one that was recorded; :func:`rebuild` recomputes a range from
the raw tables (backfill, repair, or a scheduled job when ingest runs without the hook).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, select, text
from sqlalchemy.orm import Session

from cloud.db.upsert import driver_connection, is_postgres, rows_json, table_of
from cloud.reports.models import HourlySales, ProductDaily, ProductMonthly
from cloud.sales.models import Sale, SaleLine
from cloud.stores.localtime import zone
from cloud.stores.models import Store

log = logging.getLogger(__name__)

_HOURLY_SUMS = ("sales_count", "lines", "units", "subtotal", "discount", "tax", "total")
_PRODUCT_SUMS = ("lines", "qty", "gross", "discount")


@dataclass(frozen=True, slots=True)
class LineFacts:
    gtin: str
    qty: Decimal
    amount: Decimal
    discount: Decimal


@dataclass(frozen=True, slots=True)
class SaleFacts:
    """What the aggregates need of one sale, whatever its source (event or table)."""

    store_id: int
    completed_at: datetime
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    lines: tuple[LineFacts, ...]


def fold(
    sales: Iterable[SaleFacts], zones: dict[int, ZoneInfo]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Hourly, product-daily and product-monthly rows summing ``sales``. Pure."""
    hourly: dict[tuple[int, date, int], dict[str, Any]] = {}
    daily: dict[tuple[int, date, str], dict[str, Any]] = {}
    monthly: dict[tuple[int, date, str], dict[str, Any]] = {}
    for sale in sales:
        local = sale.completed_at.astimezone(zones.get(sale.store_id, ZoneInfo("UTC")))
        day, month = local.date(), local.date().replace(day=1)
        h = hourly.setdefault(
            (sale.store_id, day, local.hour),
            {"store_id": sale.store_id, "day": day, "hour": local.hour}
            | {k: Decimal(0) for k in _HOURLY_SUMS},
        )
        h["sales_count"] += 1
        h["lines"] += len(sale.lines)
        h["units"] += sum((ln.qty for ln in sale.lines), Decimal(0))
        h["subtotal"] += sale.subtotal
        h["discount"] += sale.discount
        h["tax"] += sale.tax
        h["total"] += sale.total
        for ln in sale.lines:
            for acc, key, col in (
                (daily, (sale.store_id, day, ln.gtin), "day"),
                (monthly, (sale.store_id, month, ln.gtin), "month"),
            ):
                row = acc.setdefault(
                    key,
                    {"store_id": key[0], col: key[1], "gtin": key[2]}
                    | {k: Decimal(0) for k in _PRODUCT_SUMS},
                )
                row["lines"] += 1
                row["qty"] += ln.qty
                row["gross"] += ln.amount
                row["discount"] += ln.discount
    for rows in (hourly, daily, monthly):
        for row in rows.values():
            for k in ("sales_count", "lines"):
                if k in row:
                    row[k] = int(row[k])
    return list(hourly.values()), list(daily.values()), list(monthly.values())


def _upsert_add(
    session: Session,
    table: Table,
    keys: Sequence[str],
    sums: Sequence[str],
    rows: list[dict[str, Any]],
) -> None:
    if not rows:
        return
    name = session.get_bind().dialect.name
    stmt: Any
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table)
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"no upsert for dialect {name}")
    wanted = [k for k in sums if k in rows[0]]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={k: table.c[k] + stmt.excluded[k] for k in wanted},
    )
    # A stable order keeps concurrent workers from deadlocking on the same rows.
    session.execute(stmt, sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys)))


def store_zones(session: Session, store_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    ids = sorted(set(store_ids))
    if not ids:
        return {}
    rows = session.execute(select(Store.id, Store.timezone).where(Store.id.in_(ids)))
    return {sid: zone(tz) for sid, tz in rows}


def add_facts(session: Session, sales: Sequence[SaleFacts]) -> None:
    """Add ``sales`` to every aggregate (insert-or-add), in the caller's transaction."""
    if not sales:
        return
    hourly, daily, monthly = fold(sales, store_zones(session, (s.store_id for s in sales)))
    _upsert_add(session, table_of(HourlySales), ("store_id", "day", "hour"), _HOURLY_SUMS, hourly)
    _upsert_add(session, table_of(ProductDaily), ("store_id", "day", "gtin"), _PRODUCT_SUMS, daily)
    _upsert_add(
        session, table_of(ProductMonthly), ("store_id", "month", "gtin"), _PRODUCT_SUMS, monthly
    )


def facts_from_event(store_id: int, data: Any) -> SaleFacts:
    """From a validated ``contracts.messages.SaleData``."""
    return SaleFacts(
        store_id=store_id,
        completed_at=data.completed_at,
        subtotal=data.subtotal,
        discount=data.discount_total,
        tax=data.tax_total,
        total=data.total,
        lines=tuple(
            LineFacts(ln.gtin, ln.qty, ln.amount, sum((d.amount for d in ln.discounts), Decimal(0)))
            for ln in data.lines
        ),
    )


def add_sales(session: Session, records: Sequence[Any], recorded: Iterable[str]) -> None:
    """Ingest hook: aggregate the sale records whose ``sale_id`` was newly recorded.

    On PostgreSQL one statement per batch (:func:`_add_sales_pg`); elsewhere the portable
    fold and one upsert per aggregate table.
    """
    wanted = set(recorded)
    fresh: list[Any] = []
    for rec in records:
        if rec.data.sale_id in wanted:
            wanted.discard(rec.data.sale_id)
            fresh.append(rec)
    if not fresh:
        return
    if is_postgres(session):
        _add_sales_pg(session, fresh)
        return
    add_facts(session, [facts_from_event(rec.store_id, rec.data) for rec in fresh])


# The three upserts of one batch as one statement. Python only places each sale in its
# store's local day and hour (zone names the server might not know fall back to UTC, as in
# :func:`zone`); the server groups the lines and adds to existing rows. The GROUP BY makes
# each key appear once (ON CONFLICT DO UPDATE cannot touch a row twice) and ORDER BY keeps
# the lock order the same in every worker.
_ADD_SALES_PG = """
WITH s AS (
    SELECT * FROM json_to_recordset(%s::json) AS u(
        store_id int4, day date, hour int4, month date, n int4, units numeric,
        subtotal numeric, discount numeric, tax numeric, total numeric, lines json)
), l AS (
    SELECT s.store_id, s.day, s.month, e->>0 AS gtin, (e->>1)::numeric AS qty,
           (e->>2)::numeric AS amount, (e->>3)::numeric AS discount
    FROM s CROSS JOIN LATERAL json_array_elements(s.lines) AS e
), hourly AS (
    INSERT INTO agg_sales_hourly AS a
        (store_id, day, hour, sales_count, lines, units, subtotal, discount, tax, total)
    SELECT store_id, day, hour, count(*), sum(n), sum(units), sum(subtotal), sum(discount),
           sum(tax), sum(total)
    FROM s GROUP BY store_id, day, hour ORDER BY store_id, day, hour
    ON CONFLICT (store_id, day, hour) DO UPDATE SET
        sales_count = a.sales_count + excluded.sales_count, lines = a.lines + excluded.lines,
        units = a.units + excluded.units, subtotal = a.subtotal + excluded.subtotal,
        discount = a.discount + excluded.discount, tax = a.tax + excluded.tax,
        total = a.total + excluded.total
), daily AS (
    INSERT INTO agg_product_daily AS a (store_id, day, gtin, lines, qty, gross, discount)
    SELECT store_id, day, gtin, count(*), sum(qty), sum(amount), sum(discount)
    FROM l GROUP BY store_id, day, gtin ORDER BY store_id, day, gtin
    ON CONFLICT (store_id, day, gtin) DO UPDATE SET
        lines = a.lines + excluded.lines, qty = a.qty + excluded.qty,
        gross = a.gross + excluded.gross, discount = a.discount + excluded.discount
)
INSERT INTO agg_product_monthly AS a (store_id, month, gtin, lines, qty, gross, discount)
SELECT store_id, month, gtin, count(*), sum(qty), sum(amount), sum(discount)
FROM l GROUP BY store_id, month, gtin ORDER BY store_id, month, gtin
ON CONFLICT (store_id, month, gtin) DO UPDATE SET
    lines = a.lines + excluded.lines, qty = a.qty + excluded.qty,
    gross = a.gross + excluded.gross, discount = a.discount + excluded.discount
"""


@cache
def _check_tables() -> None:
    """The statement names the tables and keys literally; fail loudly if the models moved."""
    for model, keys in (
        (HourlySales, ("store_id", "day", "hour")),
        (ProductDaily, ("store_id", "day", "gtin")),
        (ProductMonthly, ("store_id", "month", "gtin")),
    ):
        table = table_of(model)
        if table.name not in _ADD_SALES_PG or not all(k in table.c for k in keys):
            raise RuntimeError(f"aggregate statement out of date with {table.name}")


def _add_sales_pg(session: Session, records: Sequence[Any]) -> None:
    """Add newly recorded sales (``SaleRecord``) to all three aggregates in one statement.

    Replaced a Python fold plus one upsert per (store, day, GTIN) row: ≈40–55 µs of CPU per
    sale on the ingest thread, now ≈10 (docs/BENCHMARKS.md, "Cloud ingest").
    """
    _check_tables()
    zones = store_zones(session, {rec.store_id for rec in records})
    utc = ZoneInfo("UTC")
    zero = Decimal(0)
    rows: list[dict[str, Any]] = []
    for rec in records:
        d = rec.data
        local = d.completed_at.astimezone(zones.get(rec.store_id, utc))
        day = local.date()
        lines = [
            (
                ln.gtin,
                ln.qty,
                ln.amount,
                sum((x.amount for x in ln.discounts), zero) if ln.discounts else zero,
            )
            for ln in d.lines
        ]
        rows.append(
            {
                "store_id": rec.store_id,
                "day": day,
                "hour": local.hour,
                "month": day.replace(day=1),
                "n": len(lines),
                "units": sum((ln[1] for ln in lines), zero),
                "subtotal": d.subtotal,
                "discount": d.discount_total,
                "tax": d.tax_total,
                "total": d.total,
                "lines": lines,
            }
        )
    with driver_connection(session).cursor() as cur:
        cur.execute(_ADD_SALES_PG, [rows_json(rows)])


def rebuild(session: Session, store_id: int | None = None, batch: int = 5000) -> int:
    """Recompute the aggregates (of one store, or all) from the raw tables; returns sales read.

    PostgreSQL does it in three INSERT … SELECT statements; other databases stream the sales
    through :func:`fold` in batches.
    """
    for model in (HourlySales, ProductDaily, ProductMonthly):
        wipe = delete(model)
        if store_id is not None:
            wipe = wipe.where(model.store_id == store_id)
        session.execute(wipe)
    if session.get_bind().dialect.name == "postgresql":
        return _rebuild_pg(session, store_id)
    stmt = select(Sale).order_by(Sale.id)
    if store_id is not None:
        stmt = stmt.where(Sale.store_id == store_id)
    count, last = 0, 0
    while True:
        heads = session.scalars(stmt.where(Sale.id > last).limit(batch)).all()
        if not heads:
            return count
        last = heads[-1].id
        lines: dict[int, list[LineFacts]] = {}
        for ln in session.scalars(
            select(SaleLine).where(SaleLine.sale_pk.in_([h.id for h in heads]))
        ):
            lines.setdefault(ln.sale_pk, []).append(
                LineFacts(ln.gtin, ln.qty, ln.amount, ln.discount)
            )
        add_facts(
            session,
            [
                SaleFacts(
                    h.store_id,
                    h.completed_at,
                    h.subtotal,
                    h.discount_total,
                    h.tax_total,
                    h.total,
                    tuple(lines.get(h.id, ())),
                )
                for h in heads
            ],
        )
        count += len(heads)


_PG_REBUILD = (
    """
    INSERT INTO agg_sales_hourly
        (store_id, day, hour, sales_count, lines, units, subtotal, discount, tax, total)
    SELECT s.store_id, (s.completed_at AT TIME ZONE st.timezone)::date,
           extract(hour FROM s.completed_at AT TIME ZONE st.timezone)::int,
           count(*), coalesce(sum(l.n), 0), coalesce(sum(l.units), 0), sum(s.subtotal),
           sum(s.discount_total), sum(s.tax_total), sum(s.total)
    FROM sales s JOIN stores st ON st.id = s.store_id
    LEFT JOIN (SELECT sale_pk, count(*) AS n, sum(qty) AS units FROM sale_lines GROUP BY sale_pk)
         l ON l.sale_pk = s.id
    WHERE (CAST(:store_id AS integer) IS NULL OR s.store_id = :store_id)
    GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO agg_product_daily (store_id, day, gtin, lines, qty, gross, discount)
    SELECT s.store_id, (s.completed_at AT TIME ZONE st.timezone)::date, l.gtin,
           count(*), sum(l.qty), sum(l.amount), sum(l.discount)
    FROM sale_lines l JOIN sales s ON s.id = l.sale_pk JOIN stores st ON st.id = s.store_id
    WHERE (CAST(:store_id AS integer) IS NULL OR s.store_id = :store_id)
    GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO agg_product_monthly (store_id, month, gtin, lines, qty, gross, discount)
    SELECT store_id, date_trunc('month', day)::date, gtin,
           sum(lines), sum(qty), sum(gross), sum(discount)
    FROM agg_product_daily
    WHERE (CAST(:store_id AS integer) IS NULL OR store_id = :store_id)
    GROUP BY 1, 2, 3
    """,
)


def _rebuild_pg(session: Session, store_id: int | None) -> int:
    for sql in _PG_REBUILD:
        session.execute(text(sql), {"store_id": store_id})
    count = select(func.count(Sale.id))
    if store_id is not None:
        count = count.where(Sale.store_id == store_id)
    return int(session.scalar(count) or 0)
