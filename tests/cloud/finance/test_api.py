"""Finance and forecast endpoints over HTTP (SQLite file and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from tests.cloud.api.conftest import Api
from tests.cloud.factories import T0
from tests.cloud.finance.sales_gen import seed_api_store


def test_pnl_settlement_expenses_and_reorder(api: Api) -> None:
    sales = seed_api_store(api, 10)
    h = api.headers("manager_a")
    c = api.client
    res = c.post(
        "/api/v1/finance/expenses",
        headers=h,
        json={"store": "store-a", "category": "utilities", "amount": "120.50", "on": "2026-03-05"},
    )
    assert res.status_code == 201, res.text
    res = c.post(
        "/api/v1/finance/recurring-expenses",
        headers=h,
        json={
            "store": "store-a",
            "category": "rent",
            "amount": "3000.00",
            "day_of_month": 31,
            "starts_on": "2026-01-01",
        },
    )
    assert res.status_code == 201, res.text
    for bad in (
        {"store": "store-a", "category": "bribes", "amount": "1.00", "on": "2026-03-05"},
        {"store": "store-a", "category": "rent", "amount": "-1.00", "on": "2026-03-05"},
        {"store": "store-a", "category": "rent", "amount": "1.001", "on": "2026-03-05"},
        {"store": "store-a", "category": "rent", "amount": "NaN", "on": "2026-03-05"},
        {"store": "store-a", "category": "rent", "amount": "1", "on": "2026-03-05", "x": 1},
    ):
        assert c.post("/api/v1/finance/expenses", headers=h, json=bad).status_code == 422, bad
    assert (
        c.post(
            "/api/v1/finance/expenses",
            headers=api.headers("manager_b"),
            json={
                "store": "store-a",
                "category": "rent",
                "amount": "1",
                "on": "2026-03-05",
            },
        ).status_code
        == 403
    )

    params = {"store": "store-a", "from": "2026-03-01", "to": "2026-03-31", "period": "month"}
    rows = c.get("/api/v1/finance/pnl", params=params, headers=h).json()
    assert len(rows) == 1
    pnl = rows[0]
    revenue = sum((Decimal(p["total"]) - Decimal(p["tax_total"]) for p in sales), Decimal(0))
    assert Decimal(pnl["revenue"]) == revenue
    assert pnl["expenses_by_category"] == {"rent": "3000.00", "utilities": "120.50"}
    assert Decimal(pnl["net_profit"]) == (
        Decimal(pnl["revenue"]) - Decimal(pnl["cogs"]) - Decimal(pnl["expenses"])
    )
    weeks = c.get("/api/v1/finance/pnl", params=params | {"period": "week"}, headers=h).json()
    assert sum((Decimal(w["net_profit"]) for w in weeks), Decimal(0)) == Decimal(pnl["net_profit"])
    text = c.get("/api/v1/finance/pnl", params=params | {"format": "csv"}, headers=h).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["net_profit"] == pnl["net_profit"]
    assert (
        c.get("/api/v1/finance/pnl", params=params | {"period": "decade"}, headers=h).status_code
        == 422
    )

    days = c.get(
        "/api/v1/finance/settlement", params={"store": "store-a", "date": "2026-03-02"}, headers=h
    ).json()
    assert [(d["node"], [x["cause"] for x in d["differences"]]) for d in days] == [
        ("kiosk-1", ["missing_zreport"])
    ]

    api.clock.now = T0 + timedelta(days=3)
    h = api.headers("manager_a")  # the earlier token expired meanwhile
    res = c.post(
        "/api/v1/forecast/orders", headers=h, json={"store": "store-a", "sku": "SKU-1", "qty": "7"}
    )
    assert res.status_code == 201, res.text
    assert (
        c.post(
            "/api/v1/forecast/orders",
            headers=h,
            json={"store": "store-a", "sku": "SKU-1", "qty": "-1"},
        ).status_code
        == 422
    )
    reorder = c.get(
        "/api/v1/forecast/reorder", params={"store": "store-a", "lead_days": 7}, headers=h
    ).json()
    by_sku = {r["sku"]: r for r in reorder["rows"]}
    assert Decimal(by_sku["SKU-1"]["on_order"]) == 7
    for r in reorder["rows"]:
        gap = (
            Decimal(r["forecast_lead_time"])
            + Decimal(r["safety_stock"])
            - Decimal(r["on_hand"])
            - Decimal(r["on_order"])
        )
        assert Decimal(r["suggested_order"]) == max(gap, Decimal(0)).to_integral_value(
            rounding="ROUND_CEILING"
        )
    csv_text = c.get(
        "/api/v1/forecast/reorder", params={"store": "store-a", "format": "csv"}, headers=h
    ).text
    assert csv_text.startswith("sku,gtin,name,forecast_lead_time")
    bt = c.get("/api/v1/forecast/backtest", params={"store": "store-a"}, headers=h).json()
    assert set(bt) >= {"wape", "baseline_wape", "beats_baseline"}
    demand = c.get(
        "/api/v1/forecast/demand",
        headers=h,
        params={"store": "store-a", "gtin": sales[0]["lines"][0]["gtin"], "days": 7},
    )
    assert len(demand.json()["rows"]) == 7
    assert (
        c.get(
            "/api/v1/forecast/demand", headers=h, params={"store": "store-a", "gtin": "abc"}
        ).status_code
        == 422
    )
