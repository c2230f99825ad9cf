"""Sales reports: daily sums over given rows (pure), and reports over the aggregate tables.

Every report reads the incrementally maintained aggregates (cloud.reports.aggregates), so
its cost grows with the days and products asked for, not with the number of sale lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from cloud.reports import repository
from cloud.reports.table import Cell, Chart, Report


@dataclass
class DayTotal:
    store: str
    day: date
    currency: str
    sales_count: int = 0
    subtotal: Decimal = field(default_factory=Decimal)
    discount_total: Decimal = field(default_factory=Decimal)
    tax_total: Decimal = field(default_factory=Decimal)
    total: Decimal = field(default_factory=Decimal)


@dataclass(frozen=True)
class SaleRow:
    store: str
    timezone: str
    completed_at: datetime
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def daily_totals(rows: Iterable[SaleRow], first: date, last: date) -> list[DayTotal]:
    """Sum per (store, local day, currency) for days in [first, last], sorted by store, day."""
    out: dict[tuple[str, date, str], DayTotal] = {}
    for row in rows:
        day = row.completed_at.astimezone(_zone(row.timezone)).date()
        if not first <= day <= last:
            continue
        key = (row.store, day, row.currency)
        acc = out.setdefault(key, DayTotal(row.store, day, row.currency))
        acc.sales_count += 1
        acc.subtotal += row.subtotal
        acc.discount_total += row.discount_total
        acc.tax_total += row.tax_total
        acc.total += row.total
    return [out[k] for k in sorted(out)]


# Reports over the aggregate tables ---------------------------------------------------------

Granularity = Literal["day", "week", "month", "hour"]
CENT = Decimal("0.01")


def _bucket(day: date, period: Granularity) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _avg(total: Decimal, count: int | Decimal) -> Decimal:
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP) if count else Decimal("0.00")


SALES_COLUMNS = [
    "sales_count",
    "lines",
    "units",
    "subtotal",
    "discount",
    "tax",
    "total",
    "avg_basket_value",
    "avg_basket_units",
]


def _sales_cells(s: repository.SalesSums) -> list[Cell]:
    return [
        s.sales_count,
        s.lines,
        s.units,
        s.subtotal,
        s.discount,
        s.tax,
        s.total,
        _avg(s.total, s.sales_count),
        _avg(s.units, s.sales_count),
    ]


def _merge(rows: Iterable[repository.SalesSums], key: tuple[Any, ...]) -> repository.SalesSums:
    acc = repository.SalesSums(
        key, 0, 0, Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    )
    for r in rows:
        acc = repository.SalesSums(
            key,
            acc.sales_count + r.sales_count,
            acc.lines + r.lines,
            acc.units + r.units,
            acc.subtotal + r.subtotal,
            acc.discount + r.discount,
            acc.tax + r.tax,
            acc.total + r.total,
        )
    return acc


def sales_report(
    session: Session,
    store_ids: Sequence[int] | None,
    period: Granularity,
    first: date,
    last: date,
) -> Report:
    """Sales by day, ISO week, month or hour of day (local), with basket size and value."""
    if period == "hour":
        rows = repository.sales_sums(session, store_ids, first, last, by=("hour",))
        return Report(
            "sales-by-hour",
            "Sales by hour of day",
            ["hour", *SALES_COLUMNS],
            [[r.key[0], *_sales_cells(r)] for r in rows],
            chart=Chart("hour", "total"),
        )
    daily = repository.sales_sums(session, store_ids, first, last, by=("day",))
    groups: dict[date, list[repository.SalesSums]] = {}
    for r in daily:
        groups.setdefault(_bucket(r.key[0], period), []).append(r)
    merged = [_merge(v, (k,)) for k, v in sorted(groups.items())]
    return Report(
        f"sales-by-{period}",
        f"Sales by {period}",
        [period, *SALES_COLUMNS],
        [[m.key[0], *_sales_cells(m)] for m in merged],
        chart=Chart(period, "total", "line" if period == "day" else "bar"),
    )


def sales_by_store(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> Report:
    rows = repository.sales_sums(session, store_ids, first, last, by=("store_id",))
    codes = repository.store_codes(session, store_ids)
    return Report(
        "sales-by-store",
        "Sales by store",
        ["store", *SALES_COLUMNS],
        sorted(
            ([codes.get(r.key[0], str(r.key[0])), *_sales_cells(r)] for r in rows),
            key=lambda row: str(row[0]),
        ),
        chart=Chart("store", "total"),
    )


PRODUCT_COLUMNS = ["gtin", "sku", "name", "category", "qty", "lines", "gross", "discount", "net"]


def product_report(
    session: Session,
    store_ids: Sequence[int] | None,
    first: date,
    last: date,
    *,
    order: str = "net",
    limit: int | None = None,
    name: str = "sales-by-product",
    title: str = "Sales by product",
) -> Report:
    """Products ranked by net sales (or ``qty``); top sellers are the head of this list."""
    sums = repository.product_sums(session, store_ids, first, last, order=order, limit=limit)
    cat = repository.catalog(session, (s.key[0] for s in sums))
    rows: list[list[Cell]] = []
    for s in sums:
        item = cat.get(s.key[0])
        rows.append(
            [
                s.key[0],
                item.sku if item else "",
                item.name if item else "",
                item.category if item else "",
                s.qty,
                s.lines,
                s.gross,
                s.discount,
                s.net,
            ]
        )
    return Report(name, title, PRODUCT_COLUMNS, rows, chart=Chart("sku", "net"))


def slow_sellers(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date, limit: int = 50
) -> Report:
    """Active products with the least units sold, those with no sale at all first."""
    sums = {s.key[0]: s for s in repository.product_sums(session, store_ids, first, last)}
    rows: list[list[Cell]] = []
    for gtin, item in repository.catalog(session).items():
        if not item.active:
            continue
        s = sums.get(gtin)
        rows.append(
            [
                gtin,
                item.sku,
                item.name,
                item.category,
                s.qty if s else Decimal(0),
                s.lines if s else 0,
                s.gross if s else Decimal(0),
                s.discount if s else Decimal(0),
                s.net if s else Decimal(0),
            ]
        )
    rows.sort(key=lambda r: (r[4], r[1]))
    return Report(
        "slow-sellers", "Slow sellers", PRODUCT_COLUMNS, rows[:limit], chart=Chart("sku", "qty")
    )


def category_report(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> Report:
    sums = repository.product_sums(session, store_ids, first, last)
    cat = repository.catalog(session, (s.key[0] for s in sums))
    acc: dict[str, list[Decimal]] = {}
    for s in sums:
        item = cat.get(s.key[0])
        key = (item.category if item else "") or "(none)"
        a = acc.setdefault(key, [Decimal(0)] * 4)
        a[0] += s.qty
        a[1] += s.gross
        a[2] += s.discount
        a[3] += s.net
    rows: list[list[Cell]] = [[k, *v] for k, v in sorted(acc.items())]
    return Report(
        "sales-by-category",
        "Sales by category",
        ["category", "qty", "gross", "discount", "net"],
        rows,
        chart=Chart("category", "net"),
    )


def catalog(
    session: Session, gtins: Iterable[str] | None = None
) -> dict[str, repository.CatalogItem]:
    """GTIN → product facts (one query); every GTIN of every product when ``gtins`` is None."""
    return repository.catalog(session, gtins)


def daily_sales(
    session: Session, store_ids: Sequence[int] | None, first: date, last: date
) -> list[DayTotal]:
    """Sales sums per store and local business day from ``first`` to ``last`` (inclusive)."""
    # Widen by a day on each side in UTC; local days are cut exactly in daily_totals.
    start = datetime.combine(first - timedelta(days=1), time.min, tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time.min, tzinfo=UTC)
    rows = (SaleRow(*r) for r in repository.sale_rows(session, start, end, store_ids))
    return daily_totals(rows, first, last)


def takings(session: Session, store_id: int, start: datetime, end: datetime) -> tuple[Decimal, int]:
    """(total, number) of the store's sales completed in [start, end) (the dashboard)."""
    return repository.takings(session, store_id, start, end)
