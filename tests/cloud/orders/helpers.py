"""Orders over HTTP: a stocked store-a and an order placed by its staff."""

from __future__ import annotations

from typing import Any

from tests.cloud.api.conftest import Api

ORDERS = "/api/v1/orders"


def stock(api: Api, qty: str = "5", sku: str = "MILK-1", store: str = "store-a") -> None:
    res = api.client.post(
        f"/api/v1/inventory/{store}/receiving",
        headers=api.headers("manager_a" if store == "store-a" else "manager_b"),
        json={"sku": sku, "qty": qty},
    )
    assert res.status_code == 201, res.text


def place(api: Api, headers: dict[str, str], qty: str = "2", **extra: Any) -> dict[str, Any]:
    body = {
        "store": "store-a",
        "channel": "miniprogram",
        "fulfilment": "pickup",
        "customer": {"name": "Li Na", "phone": "13800000001"},
        "lines": [{"sku": "MILK-1", "qty": qty}],
    } | extra
    res = api.client.post(ORDERS, headers=headers, json=body)
    assert res.status_code == 201, res.text
    out: dict[str, Any] = res.json()
    return out


def on_hand(api: Api, headers: dict[str, str]) -> dict[str, str]:
    res = api.client.get("/api/v1/inventory/store-a/on-hand", headers=headers)
    assert res.status_code == 200, res.text
    row: dict[str, str] = res.json()["items"][0]
    return row
