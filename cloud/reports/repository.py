"""Report queries over the aggregate tables (never the raw sale lines), plus the catalog."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cloud.products.models import Category, Product, ProductBarcode
from cloud.reports.models import HourlySales, ProductDaily, ProductMonthly
from cloud.sales.models import Sale
from cloud.stores.models import Store


@dataclass(frozen=True, slots=True)
class SalesSums:
    """Sums of a group of aggregate rows; ``key`` is what they were grouped by."""

    key: tuple[Any, ...]
    sales_count: int
    lines: int
    units: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class ProductSums:
    key: tuple[Any, ...]
    lines: int
    qty: Decimal
    gross: Decimal
    discount: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount


def _dec(v: Any) -> Decimal:
    return Decimal(0) if v is None else Decimal(v)


def sales_sums(
    session: Session,
    store_ids: Sequence[int] | None,
    first: date,
    last: date,
    by: Iterable[str] = ("day",),
) -> list[SalesSums]:
    """``agg_sales_hourly`` grouped by any of store_id, day, hour, within [first, last]."""
    h = HourlySales
    keys = [getattr(h, name) for name in by]
    stmt: Select[Any] = select(
        *keys,
        func.sum(h.sales_count),
        func.sum(h.lines),
        func.sum(h.units),
        func.sum(h.subtotal),
        func.sum(h.discount),
        func.sum(h.tax),
        func.sum(h.total),
    ).where(h.day >= first, h.day <= last)
    if store_ids is not None:
        stmt = stmt.where(h.store_id.in_(store_ids))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    n = len(keys)
    return [
        SalesSums(
            tuple(row[:n]),
            int(row[n] or 0),
            int(row[n + 1] or 0),
            _dec(row[n + 2]),
            _dec(row[n + 3]),
            _dec(row[n + 4]),
            _dec(row[n + 5]),
            _dec(row[n + 6]),
        )
        for row in session.execute(stmt)
        if row[n] is not None
    ]


def whole_months(first: date, last: date) -> bool:
    return first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1]


def product_sums(
    session: Session,
    store_ids: Sequence[int] | None,
    first: date,
    last: date,
    by: Iterable[str] = ("gtin",),
    order: str | None = None,
    limit: int | None = None,
    gtins: Sequence[str] | None = None,
) -> list[ProductSums]:
    """Product aggregates grouped by ``by``; whole-month ranges read the monthly table.

    ``order`` is ``net``/``qty`` (descending) or ``-net``/``-qty`` (ascending).
    """
    monthly = whole_months(first, last)
    t: Any = ProductMonthly if monthly else ProductDaily
    when = t.month if monthly else t.day
    lo = first.replace(day=1) if monthly else first
    keys = [getattr(t, name) if name != "period" else when for name in by]
    qty, gross, disc = func.sum(t.qty), func.sum(t.gross), func.sum(t.discount)
    stmt: Select[Any] = (
        select(*keys, func.sum(t.lines), qty, gross, disc)
        .where(when >= lo, when <= last)
        .group_by(*keys)
    )
    if store_ids is not None:
        stmt = stmt.where(t.store_id.in_(store_ids))
    if gtins is not None:
        stmt = stmt.where(t.gtin.in_(gtins))
    if order:
        col = qty if order.lstrip("-") == "qty" else gross - disc
        stmt = stmt.order_by(col.asc() if order.startswith("-") else col.desc(), *keys)
    else:
        stmt = stmt.order_by(*keys)
    if limit is not None:
        stmt = stmt.limit(limit)
    n = len(keys)
    return [
        ProductSums(
            tuple(row[:n]), int(row[n] or 0), _dec(row[n + 1]), _dec(row[n + 2]), _dec(row[n + 3])
        )
        for row in session.execute(stmt)
    ]


@dataclass(frozen=True, slots=True)
class CatalogItem:
    product_id: int
    sku: str
    name: str
    category: str
    cost: Decimal | None
    active: bool


def catalog(session: Session, gtins: Iterable[str] | None = None) -> dict[str, CatalogItem]:
    """GTIN → product facts (one query); every GTIN of every product when ``gtins`` is None."""
    stmt = (
        select(
            ProductBarcode.gtin,
            Product.id,
            Product.sku,
            Product.name,
            Category.code,
            Product.cost,
            Product.active,
        )
        .join(Product, Product.id == ProductBarcode.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
    )
    if gtins is not None:
        wanted = sorted(set(gtins))
        if not wanted:
            return {}
        stmt = stmt.where(ProductBarcode.gtin.in_(wanted))
    return {
        g: CatalogItem(pid, sku, name, cat or "", cost, bool(active))
        for g, pid, sku, name, cat, cost, active in session.execute(stmt)
    }


def store_codes(session: Session, store_ids: Sequence[int] | None = None) -> dict[int, str]:
    stmt = select(Store.id, Store.code)
    if store_ids is not None:
        stmt = stmt.where(Store.id.in_(store_ids))
    return {sid: code for sid, code in session.execute(stmt)}


def sale_rows(
    session: Session, start: datetime, end: datetime, store_ids: Sequence[int] | None
) -> Iterator[tuple[Any, ...]]:
    """(store code, timezone, completed at, currency, subtotal, discount, tax, total) of each
    sale completed in [start, end), in ``store_ids`` (None: all stores)."""
    stmt = (
        select(
            Store.code,
            Store.timezone,
            Sale.completed_at,
            Sale.currency,
            Sale.subtotal,
            Sale.discount_total,
            Sale.tax_total,
            Sale.total,
        )
        .join(Store, Store.id == Sale.store_id)
        .where(Sale.completed_at >= start, Sale.completed_at < end)
    )
    if store_ids is not None:
        stmt = stmt.where(Sale.store_id.in_(store_ids))
    return (tuple(r) for r in session.execute(stmt))


def takings(session: Session, store_id: int, start: datetime, end: datetime) -> tuple[Decimal, int]:
    """(total, number) of the store's sales completed in [start, end)."""
    row = session.execute(
        select(func.coalesce(func.sum(Sale.total), 0), func.count()).where(
            Sale.store_id == store_id, Sale.completed_at >= start, Sale.completed_at < end
        )
    ).one()
    return Decimal(row[0]), int(row[1])
