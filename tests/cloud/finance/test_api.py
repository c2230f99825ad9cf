"""Finance endpoints over HTTP (SQLite file and PostgreSQL): expenses, P&L, settlement."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.cloud.api.conftest import Api
from tests.cloud.finance.sales_gen import seed_api_store


def test_expenses_are_validated_and_feed_the_pnl(api: Api) -> None:
    """One-off and recurring expenses (bad ones 422, another store's manager 403) show by
    category in the month's P&L, whose weeks add up to it and whose CSV agrees."""
    sales = seed_api_store(api, 10)
    h = api.headers("manager_a")
    c = api.client
    res = c.post(
        "/api/v1/finance/expenses",
        headers=h,
        json={"store": "store-a", "category": "utilities", "amount": "120.50", "on": "2026-03-05"},
    )
    assert res.status_code == 201, res.text
    one_off = res.json()["id"]
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
    rent = res.json()["id"]
    listed = c.get(
        "/api/v1/finance/expenses",
        params={"store": "store-a", "from": "2026-02-01", "to": "2026-03-31"},
        headers=h,
    ).json()
    assert [(e["id"], e["on"], e["recurring"]) for e in listed] == [
        (rent, "2026-02-28", True),  # day 31, clamped to February's end
        (one_off, "2026-03-05", False),
        (rent, "2026-03-31", True),
    ]
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


def test_settlement_flags_the_kiosk_without_a_zreport(api: Api) -> None:
    seed_api_store(api, 10)
    h = api.headers("manager_a")
    c = api.client
    days = c.get(
        "/api/v1/finance/settlement", params={"store": "store-a", "date": "2026-03-02"}, headers=h
    ).json()
    assert [(d["node"], [x["cause"] for x in d["differences"]]) for d in days] == [
        ("kiosk-1", ["missing_zreport"])
    ]
