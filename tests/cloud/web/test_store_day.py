"""The dashboard's day is the store's day: sales fall in the store's local hours, last week's
curve is the same local weekday, and restock, basket and alert ages come out of real rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service as alerts
from cloud.reports.store_day import chain_day, store_day
from cloud.sales.service import SaleRecord, record_sales
from cloud.stores import service as stores
from cloud.web.formats import money
from contracts.messages import SaleData
from tests.cloud.factories import sale_data

NOW = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)  # 13:30 in Shanghai, 05:30 in London


def _sale(store_id: int, sale_id: str, at: datetime) -> SaleRecord:
    data = sale_data(sale_id, n_lines=1)  # one line: 2 × 10.00, less 1.00 = 19.00
    data["completed_at"] = at.isoformat()
    return SaleRecord(store_id, "kiosk-1", str(uuid.uuid4()), SaleData(**data))


def test_sales_by_local_hour_against_the_same_weekday(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s, s.begin():
        sh = stores.create_store(s, "sh", "Shanghai", timezone="Asia/Shanghai")
        ldn = stores.create_store(s, "ldn", "London", timezone="Europe/London")
        records = [
            _sale(sh.id, "SH-1", datetime(2026, 3, 1, 16, 10, tzinfo=UTC)),  # 00:10 local today
            _sale(sh.id, "SH-2", datetime(2026, 3, 2, 4, 59, tzinfo=UTC)),  # 12:59 local
            _sale(sh.id, "SH-3", datetime(2026, 2, 23, 4, 0, tzinfo=UTC)),  # last week 12:00
            _sale(sh.id, "SH-4", datetime(2026, 3, 1, 15, 50, tzinfo=UTC)),  # yesterday 23:50
            _sale(ldn.id, "L-1", datetime(2026, 3, 2, 5, 0, tzinfo=UTC)),  # 05:00 London
        ]
        record_sales(s, records, NOW)
        opened, _ = alerts.open_alert(
            s,
            store_id=sh.id,
            source="shelf-1/a1",
            alert_type="out_of_stock",
            now=NOW - timedelta(minutes=40),
        )
        s.flush()
        day = store_day(s, sh, NOW)
        london = store_day(s, ldn, NOW)

    assert day.today[0] == 19.0
    assert day.today[12] == 19.0
    assert day.today[13] == 0.0  # this hour so far
    assert day.today[14:] == [None] * 10  # not yet come
    assert day.last_week[12] == 19.0
    assert sum(day.last_week) == 19.0
    assert day.sales == 2
    assert day.basket_value == Decimal("19.00")
    assert day.basket_units == Decimal("2.0")
    assert [(s.name, s.qty, s.amount) for s in day.top] == [("Item 0", Decimal(4), Decimal(40))]
    assert [(k.type, k.count) for k in day.alerts] == [("out_of_stock", 1)]
    assert day.alerts[0].age(NOW) == timedelta(minutes=40)
    assert opened.status == "active_unack"
    assert london.today[5] == 19.0
    chain = chain_day([day, london])
    assert chain.today[5] == 19.0
    assert chain.today[12] == 19.0
    assert chain.alerts[0].count == 1


def test_money_carries_its_currency_sign() -> None:
    assert money(Decimal("1234.5")) == "¥1,234.50"
    assert money(Decimal("-3"), "USD") == "-$3.00"
    assert money(Decimal("12"), "CHF") == "CHF 12.00"
    assert money(None) == ""
