"""Forecast endpoints over HTTP (SQLite file and PostgreSQL): orders, reorder, demand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.cloud.api.conftest import Api
from tests.cloud.factories import T0
from tests.cloud.finance.sales_gen import seed_api_store


def test_reorder_counts_open_orders_and_the_forecast(api: Api) -> None:
    """An open order counts as on order; each suggestion covers the lead-time forecast and
    safety stock net of stock; backtest and demand answer, bad input is 422."""
    sales = seed_api_store(api, 10)
    c = api.client
    api.clock.now = T0 + timedelta(days=3)  # three days after the seeded sales
    h = api.headers("manager_a")
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
