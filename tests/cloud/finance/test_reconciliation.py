"""Acceptance 1: exact reconciliation on generated sales (SQLite file and PostgreSQL).

Sales go through the real ingest pipeline; receipts at varying costs feed the moving
average. Σ tenders − change = Σ totals, and profit = revenue − cost of goods − expenses, to
the cent, for every period size; the incremental aggregates agree with the raw tables.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.finance import service as finance
from cloud.finance.costing import cents
from cloud.inventory import service as inventory
from cloud.reports.models import HourlySales, ProductDaily
from cloud.sales.models import Sale, Tender
from cloud.stores.models import Store
from cloud.stores.repository import by_code
from tests.cloud.factories import GTINS, T0, setup_store
from tests.cloud.finance.sales_gen import GenSale, ingest, product_ids, sales_st

_stores = itertools.count(1)
CATALOG_COST = [Decimal("6.00") + i for i in range(len(GTINS))]

receipts_st = st.lists(
    st.tuples(
        st.integers(0, len(GTINS) - 1),
        st.integers(1, 40),
        st.decimals("1.00", "9.99", places=2, allow_nan=False, allow_infinity=False),
        st.integers(-2000, 60 * 24 * 20),
    ),
    max_size=8,
)
expenses_st = st.lists(
    st.tuples(
        st.sampled_from(finance.EXPENSE_CATEGORIES),
        st.decimals("0.01", "5000", places=2, allow_nan=False, allow_infinity=False),
        st.integers(1, 31),
    ),
    max_size=5,
)


def oracle_cogs(receipts: list[tuple[int, int, Decimal, int]], sales: list[GenSale]) -> Decimal:
    """Moving average, written out independently: receipts first on equal times."""
    events: list[tuple[int, int, int, int, Decimal | None]] = []
    for product, qty, cost, minutes in receipts:
        events.append((minutes, 0, product, qty, cost))
    for sale in sales:
        for ln in sale.lines:
            events.append((sale.minutes, 1, ln.product, -ln.qty, None))
    held: dict[int, Decimal] = defaultdict(Decimal)
    avg: dict[int, Decimal] = {}
    total = Decimal(0)
    for _, kind, product, qty, cost in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == 0 and cost is not None:
            h = max(held[product], Decimal(0))
            prev = avg.get(product, cost)
            avg[product] = (h * prev + qty * cost) / (h + qty)
        else:
            total += cents(-qty * avg.get(product, CATALOG_COST[product]))
        held[product] += qty
    return total


def stock_and_spend(
    s: Session,
    code: str,
    receipts: list[tuple[int, int, Decimal, int]],
    expenses: list[tuple[str, Decimal, int]],
) -> None:
    """Store ``code`` with its receipts at cost, March's one-off expenses and a monthly rent."""
    setup_store(s, code)
    store = by_code(s, code)
    assert store is not None
    ids = product_ids(s)
    for product, qty, cost, minutes in receipts:
        inventory.move(
            s,
            store_id=store.id,
            product_id=ids[product],
            kind="receiving",
            qty=Decimal(qty),
            unit_cost=cost,
            now=T0 + timedelta(minutes=minutes),
        )
    for category, amount, day in expenses:
        finance.add_expense(
            s, store_id=store.id, category=category, amount=amount, on=date(2026, 3, day)
        )
    finance.add_recurring_expense(
        s,
        store_id=store.id,
        category="rent",
        amount=Decimal("3000.00"),
        starts_on=date(2026, 1, 1),
        day_of_month=31,
    )


def assert_tenders_match_totals(s: Session, store: Store, totals: Decimal) -> None:
    """Σ tenders − change = Σ recorded totals = Σ the kiosks' totals."""
    tendered = s.scalar(
        select(func.sum(Tender.amount))
        .join(Sale, Sale.id == Tender.sale_pk)
        .where(Sale.store_id == store.id)
    )
    change = s.scalar(select(func.sum(Sale.change)).where(Sale.store_id == store.id))
    recorded = s.scalar(select(func.sum(Sale.total)).where(Sale.store_id == store.id))
    assert tendered - change == recorded == totals


def assert_profit_reconciles(
    s: Session,
    store: Store,
    payloads: list[dict[str, Any]],
    sales: list[GenSale],
    receipts: list[tuple[int, int, Decimal, int]],
    expenses: list[tuple[str, Decimal, int]],
) -> None:
    """March's P&L: revenue, tax, moving-average cost of goods (against the oracle) and
    expenses to the cent; every period size adds up to the month."""
    month = finance.profit_and_loss(s, store, "month", date(2026, 3, 1), date(2026, 3, 31))
    assert len(month) == 1
    pnl = month[0]
    revenue = sum(
        (
            Decimal(p["subtotal"]) - Decimal(p["discount_total"]) - Decimal(p["tax_total"])
            for p in payloads
        ),
        Decimal(0),
    )
    spent = sum((a for _, a, _ in expenses), Decimal(0)) + Decimal("3000.00")
    cogs = oracle_cogs(receipts, sales)
    assert pnl.sales_count == len(sales)
    assert pnl.revenue == revenue
    assert pnl.tax == sum((Decimal(p["tax_total"]) for p in payloads), Decimal(0))
    assert pnl.cogs == cogs
    assert pnl.expenses == spent
    assert pnl.net_profit == revenue - cogs - spent
    assert pnl.expenses_by_category["rent"] >= Decimal("3000.00")

    for period in ("day", "week", "year"):
        rows = finance.profit_and_loss(s, store, period, date(2026, 3, 1), date(2026, 3, 31))
        assert sum((r.net_profit for r in rows), Decimal(0)) == pnl.net_profit
        assert sum((r.cogs for r in rows), Decimal(0)) == cogs


def assert_aggregates_match(
    s: Session, store: Store, payloads: list[dict[str, Any]], totals: Decimal
) -> None:
    """The incremental hourly and product aggregates agree with the raw sales."""
    agg_total = s.scalar(
        select(func.sum(HourlySales.total)).where(HourlySales.store_id == store.id)
    )
    agg_count = s.scalar(
        select(func.sum(HourlySales.sales_count)).where(HourlySales.store_id == store.id)
    )
    agg_gross = s.scalar(
        select(func.sum(ProductDaily.gross)).where(ProductDaily.store_id == store.id)
    )
    assert agg_total == totals
    assert agg_count == len(payloads)
    assert agg_gross == sum((Decimal(p["subtotal"]) for p in payloads), Decimal(0))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sales=sales_st, receipts=receipts_st, expenses=expenses_st)
def test_tenders_totals_and_profit_reconcile_to_the_cent(
    session_factory: sessionmaker[Session],
    sales: list[GenSale],
    receipts: list[tuple[int, int, Decimal, int]],
    expenses: list[tuple[str, Decimal, int]],
) -> None:
    code = f"r{next(_stores)}"
    for i, sale in enumerate(sales):
        sale.sale_id = f"{code}-S{i}"
    with transaction(session_factory) as s:
        stock_and_spend(s, code, receipts, expenses)
    payloads = [sale.payload() for sale in sales]
    ingest(session_factory, code, payloads)

    totals = sum((Decimal(p["total"]) for p in payloads), Decimal(0))
    with session_factory() as s:
        store = by_code(s, code)
        assert store is not None
        assert_tenders_match_totals(s, store, totals)
        assert_profit_reconciles(s, store, payloads, sales, receipts, expenses)
        assert_aggregates_match(s, store, payloads, totals)
