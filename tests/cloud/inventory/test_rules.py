"""The stock rules of the one inventory service, over the REST API (SQLite and PostgreSQL):
a transfer never ships more than is on hand, a stocktake variance needs a reason, and an
outflow below zero is flagged or refused per the store's ``negative_stock`` setting."""

from __future__ import annotations

from decimal import Decimal

from tests.cloud.api.conftest import Api

BASE = "/api/v1/inventory/store-a"


def on_hand(api: Api, headers: dict[str, str]) -> Decimal:
    rows = api.client.get(f"{BASE}/on-hand", params={"sku": "MILK-1"}, headers=headers).json()
    return Decimal(rows["items"][0]["on_hand"]) if rows["items"] else Decimal(0)


def test_a_transfer_cannot_ship_more_than_is_on_hand(api: Api) -> None:
    h = api.headers("manager_a")
    body = {"sku": "MILK-1", "qty": "15", "unit_cost": "3.20", "reference": "PO-1"}
    assert api.client.post(f"{BASE}/receiving", json=body, headers=h).status_code == 201
    too_many = {"to_store": "store-b", "sku": "MILK-1", "qty": "500"}
    res = api.client.post(f"{BASE}/transfers", json=too_many, headers=h)
    assert res.status_code == 409, res.text
    assert "15" in res.json()["detail"]
    assert on_hand(api, h) == 15
    all_of_it = too_many | {"qty": "15"}
    assert api.client.post(f"{BASE}/transfers", json=all_of_it, headers=h).status_code == 201
    assert on_hand(api, h) == 0


def test_a_stocktake_line_needs_a_reason(api: Api) -> None:
    h = api.headers("staff_a")
    for line in (
        {"sku": "MILK-1", "counted": "3"},
        {"sku": "MILK-1", "counted": "3", "reason": " "},
    ):
        res = api.client.post(f"{BASE}/stocktake", json={"counts": [line]}, headers=h)
        assert res.status_code == 422, (line, res.text)
    line = {"sku": "MILK-1", "counted": "3", "reason": "found"}
    res = api.client.post(f"{BASE}/stocktake", json={"counts": [line]}, headers=h)
    assert res.status_code == 201, res.text
    assert res.json()[0]["reason"] == "found"


def test_negative_stock_is_flagged_or_refused_per_store(api: Api) -> None:
    h = api.headers("manager_a")
    damaged = {"sku": "MILK-1", "qty": "-2", "reason": "damaged"}
    res = api.client.post(f"{BASE}/adjustments", json=damaged, headers=h)
    assert res.status_code == 201, res.text  # "flag", the default: booked, and an alert
    assert on_hand(api, h) == -2
    alerts = api.client.get("/api/v1/alerts", params={"store": "store-a"}, headers=h).json()
    flagged = [a for a in alerts["items"] if a["type"] == "negative_stock"]
    assert [a["source"] for a in flagged] == ["stock/MILK-1"]
    patched = api.client.patch(
        "/api/v1/stores/store-a", json={"negative_stock": "refuse"}, headers=h
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["negative_stock"] == "refuse"
    res = api.client.post(f"{BASE}/adjustments", json=damaged, headers=h)
    assert res.status_code == 409, res.text
    assert on_hand(api, h) == -2
    bad = api.client.patch("/api/v1/stores/store-a", json={"negative_stock": "ok"}, headers=h)
    assert bad.status_code == 422
