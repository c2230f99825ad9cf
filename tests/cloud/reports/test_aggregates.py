"""The aggregates kept on ingest equal a rebuild from the raw tables, and duplicates never
count twice (SQLite file and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.reports import aggregates, service
from cloud.reports.models import HourlySales, ProductDaily, ProductMonthly
from cloud.stores.repository import by_code
from tests.cloud.factories import T0, sale_data, setup_store
from tests.cloud.finance.sales_gen import ingest


def _snapshot(s: Session) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "hourly": {
            (r.store_id, r.day, r.hour, r.sales_count, r.lines, r.units, r.total)
            for r in s.scalars(select(HourlySales))
        },
        "daily": {
            (r.store_id, r.day, r.gtin, r.lines, r.qty, r.gross, r.discount)
            for r in s.scalars(select(ProductDaily))
        },
        "monthly": {
            (r.store_id, r.month, r.gtin, r.lines, r.qty, r.gross, r.discount)
            for r in s.scalars(select(ProductMonthly))
        },
    }


def _sales(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        p = sale_data(f"A-{i}", n_lines=1 + i % 5)
        # Spread over 40 days and all hours; 16:00 UTC is midnight in Asia/Shanghai.
        p["completed_at"] = (T0 + timedelta(hours=7 * i, minutes=i)).isoformat()
        out.append(p)
    return out


def test_incremental_equals_rebuild_and_duplicates_are_ignored(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "agg")
    sales = _sales(140)
    ingest(session_factory, "agg", sales[:70])
    ingest(session_factory, "agg", sales[50:])  # 20 resent under new event ids
    with session_factory() as s:
        incremental = _snapshot(s)
    with transaction(session_factory) as s:
        assert aggregates.rebuild(s, batch=17) == 140
    with session_factory() as s:
        assert _snapshot(s) == incremental
        store = by_code(s, "agg")
        assert store is not None
        report = service.sales_report(s, [store.id], "month", date(2026, 3, 1), date(2026, 4, 30))
    assert sum(r[1] for r in report.rows) == 140  # type: ignore[misc]
    total = sum((Decimal(p["total"]) for p in sales), Decimal(0))
    assert sum(r[7] for r in report.rows) == total  # type: ignore[misc]


def test_local_day_and_hour_follow_the_store_timezone(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "tz")
    p = sale_data("TZ-1", n_lines=1)
    p["completed_at"] = "2026-03-02T16:30:00Z"  # 00:30 on 3 March in Shanghai
    ingest(session_factory, "tz", [p])
    with session_factory() as s:
        row = s.scalars(select(HourlySales)).one()
    assert (row.day, row.hour) == (date(2026, 3, 3), 0)
