"""The ingest hook's one-statement aggregate upsert (PostgreSQL) adds exactly what the pure
fold computes, every column, across store time zones, repeated keys within a batch and
additions to existing rows; SQLite goes through the fold itself."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.reports import aggregates
from cloud.reports.models import HourlySales, ProductDaily, ProductMonthly
from cloud.sales.service import SaleRecord
from cloud.stores.repository import by_code
from contracts.messages import SaleData
from tests.cloud.factories import T0, sale_data, setup_store


def _records(store_ids: list[int], n: int) -> list[SaleRecord]:
    out = []
    for i in range(n):
        p = sale_data(f"B-{i}", n_lines=1 + i % 5)
        # a few hours apart, crossing local midnight and a month end in both zones
        p["completed_at"] = (T0 + timedelta(days=27, hours=5 * (i // 3), minutes=i)).isoformat()
        out.append(
            SaleRecord(store_ids[i % len(store_ids)], "kiosk-1", str(uuid.uuid4()), SaleData(**p))
        )
    return out


def _table(s: Session, model: Any, cols: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(getattr(r, c) for c in cols) for r in s.scalars(select(model)))


_H = ("store_id", "day", "hour", "sales_count", "lines", "units", "subtotal", "discount")
_H2 = ("tax", "total")
_P = ("store_id", "gtin", "lines", "qty", "gross", "discount")


def _expected(rows: list[dict[str, Any]], cols: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(r[c] for c in cols) for r in rows)


def test_batch_upsert_equals_the_fold(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "utc")
        setup_store(s, "sha")
        ids = []
        for code, tz in (("utc", "UTC"), ("sha", "Asia/Shanghai")):
            store = by_code(s, code)
            assert store is not None
            store.timezone = tz
            ids.append(store.id)
    records = _records(ids, 60)
    first, second = records[:35], records[25:]  # overlapping keys: the second batch adds
    with transaction(session_factory) as s:
        aggregates.add_sales(s, first, [r.data.sale_id for r in first])
    with transaction(session_factory) as s:
        aggregates.add_sales(s, second, [r.data.sale_id for r in second])
    with session_factory() as s:
        zones = aggregates.store_zones(s, ids)
        got_h = _table(s, HourlySales, _H + _H2)
        got_d = _table(s, ProductDaily, ("day", *_P))
        got_m = _table(s, ProductMonthly, ("month", *_P))
    facts = [aggregates.facts_from_event(r.store_id, r.data) for r in first + second]
    hourly, daily, monthly = aggregates.fold(facts, zones)
    assert got_h == _expected(hourly, _H + _H2)
    assert got_d == _expected(daily, ("day", *_P))
    assert got_m == _expected(monthly, ("month", *_P))
    assert {r[0].day for r in got_m} == {1}
    assert len({r[0] for r in got_m}) == 2
    assert sum(r[3] for r in got_h) == 70  # sales_count: 35 + 35, none lost or doubled
    assert sum(r[7] for r in got_h) == sum(
        (r.data.discount_total for r in records), Decimal(0)
    ) + sum((r.data.discount_total for r in records[25:35]), Decimal(0))


def test_only_newly_recorded_sales_are_added(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "one")
        store = by_code(s, "one")
        assert store is not None
        sid = store.id
    records = _records([sid], 4)
    with transaction(session_factory) as s:
        aggregates.add_sales(s, records, [records[1].data.sale_id, "not-in-batch"])
        aggregates.add_sales(s, records, [])
    with session_factory() as s:
        rows = s.scalars(select(HourlySales)).all()
    assert [(r.sales_count, r.total) for r in rows] == [(1, records[1].data.total)]
