"""Promotion uplift, members, stock cover, shrink and alert times on known data
(SQLite file and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service as alerts
from cloud.db.session import transaction
from cloud.inventory import service as inventory
from cloud.reports import activity, stock
from cloud.stores.repository import by_code
from tests.cloud.factories import GTINS, T0, setup_store
from tests.cloud.finance.sales_gen import ingest, product_ids


def _sale(
    sid: str, at: Any, qty: int, promo: bool, member: dict[str, str] | None = None
) -> dict[str, Any]:
    amount = Decimal("10.00") * qty
    disc = Decimal("1.00") * qty if promo else Decimal(0)
    total = amount - disc
    return {
        "sale_id": sid,
        "completed_at": at.isoformat(),
        "currency": "CNY",
        "member": member,
        "lines": [
            {
                "gtin": GTINS[0],
                "name": "Item 0",
                "qty": str(qty),
                "unit_price": "10.00",
                "amount": str(amount),
                "discounts": [{"promotion": "PROMO", "amount": str(disc)}] if promo else [],
            }
        ],
        "subtotal": str(amount),
        "discount_total": str(disc),
        "tax_total": "0.00",
        "total": str(total),
        "tenders": [{"method": "card", "amount": str(total)}],
        "change": "0.00",
    }


@pytest.fixture
def known_week(session_factory: sessionmaker[Session]) -> int:
    """Store "ins" (its id returned): 100 units received at 4.00; a baseline week (23 Feb –
    1 Mar) of 1 unit a day, then a promotion week (2–8 Mar) of 3 a day, the first sale to a
    member; a stocktake finding 2 missing; one out-of-stock alert acknowledged after 4
    minutes and cleared after 30."""
    with transaction(session_factory) as s:
        setup_store(s, "ins")
        store = by_code(s, "ins")
        assert store is not None
        sid = store.id
        pid = product_ids(s)[0]
        inventory.move(
            s,
            store_id=sid,
            product_id=pid,
            kind="receiving",
            qty=Decimal(100),
            unit_cost=Decimal("4.00"),
            now=T0 - timedelta(days=30),
        )
    base = [_sale(f"B{i}", T0 - timedelta(days=7 - i), 1, False) for i in range(7)]
    promo = [
        _sale(
            f"P{i}", T0 + timedelta(days=i), 3, True, {"phone": "13800000001"} if i == 0 else None
        )
        for i in range(7)
    ]
    ingest(session_factory, "ins", base + promo)
    with transaction(session_factory) as s:
        inventory.stocktake(
            s,
            store_id=sid,
            product_id=pid,
            counted=Decimal(70),
            now=T0 + timedelta(days=6, hours=1),
            reason="stocktake: missing",
        )
        alert, _ = alerts.open_alert(
            s, store_id=sid, source="shelf-1/a1", alert_type="out_of_stock", now=T0
        )
        alerts.acknowledge(s, alert.id, by="staff", now=T0 + timedelta(minutes=4))
        alerts.clear_alert(
            s,
            store_id=sid,
            source="shelf-1/a1",
            alert_type="out_of_stock",
            now=T0 + timedelta(minutes=30),
        )
    return sid


FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)  # the promotion week


def test_promotion_uplift_against_the_week_before(
    session_factory: sessionmaker[Session], known_week: int
) -> None:
    with session_factory() as s:
        promos = activity.promotion_report(s, [known_week], FIRST, LAST).records()
    assert promos == [
        {
            "promotion": "PROMO",
            "sales": 7,
            "lines": 7,
            "discount_cost": "21.00",
            "units": "21.000",
            "baseline_units": "7.000",
            "uplift_pct": "200.0",
        }
    ]


def test_members_active_and_points_liability(
    session_factory: sessionmaker[Session], known_week: int
) -> None:
    with session_factory() as s:
        report = activity.member_report(s, [known_week], FIRST, LAST)
        members = {r["tier"]: r for r in report.records()}
    assert sum(r["active"] for r in members.values()) == 1
    assert all(
        Decimal(str(r["points_liability"])) == Decimal(str(r["points"])) / 100
        for r in members.values()
    )


def test_stock_cover_and_stocktake_shrink(
    session_factory: sessionmaker[Session], known_week: int
) -> None:
    at = T0 + timedelta(days=8)
    with session_factory() as s:
        inv = {r["sku"]: r for r in stock.stock_report(s, known_week, FIRST, LAST, at).records()}
        shrink = stock.shrink_report(s, known_week, FIRST, LAST, at).records()
    row = inv["SKU-0"]
    # 100 in, 7 + 21 sold → 72 on hand; stocktake counts 70 → 2 lost.
    assert Decimal(str(row["on_hand"])) == 70
    assert row["avg_cost"] == "4.00"
    assert row["stock_value"] == "280.00"
    assert row["days_of_cover"] == "23.3"  # 70 / (21 / 7)
    assert [(r["kind"], r["qty_lost"], r["value"]) for r in shrink] == [
        ("stocktake", "2.000", "8.00")
    ]


def test_alert_acknowledge_and_resolve_times(
    session_factory: sessionmaker[Session], known_week: int
) -> None:
    with session_factory() as s:
        times = activity.alert_report(s, [known_week], FIRST, LAST).records()
    assert times == [
        {
            "type": "out_of_stock",
            "opened": 1,
            "acknowledged": 1,
            "ack_mean_min": "4.0",
            "ack_median_min": "4.0",
            "resolved": 1,
            "resolve_mean_min": "30.0",
            "resolve_median_min": "30.0",
        }
    ]


def test_alert_report_days_are_the_stores_local_days(
    session_factory: sessionmaker[Session],
) -> None:
    """An alert at 07:00 in Shanghai (23:00 UTC the day before) counts on its local day."""
    local_morning = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # 10 Mar 07:00 Asia/Shanghai
    with transaction(session_factory) as s:
        setup_store(s, "sha")
        store = by_code(s, "sha")
        assert store is not None
        store.timezone = "Asia/Shanghai"
        alerts.open_alert(
            s, store_id=store.id, source="shelf-1/a1", alert_type="low_stock", now=local_morning
        )
        sid = store.id
    with session_factory() as s:
        on_the_day = activity.alert_report(s, [sid], date(2026, 3, 10), date(2026, 3, 10))
        day_before = activity.alert_report(s, [sid], date(2026, 3, 9), date(2026, 3, 9))
    assert [(r["type"], r["opened"]) for r in on_the_day.records()] == [("low_stock", 1)]
    assert day_before.records() == []
