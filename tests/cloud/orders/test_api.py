"""Online orders over HTTP on SQLite and PostgreSQL: reserve and release, the picking
conflict, collection as a sale that settlement and reports see."""

from __future__ import annotations

from decimal import Decimal

from tests.cloud.api.conftest import Api
from tests.cloud.orders.helpers import ORDERS, on_hand, place, stock


def test_reserve_then_cancel_releases_stock_and_refunds(api: Api) -> None:
    stock(api, "5")
    h = api.headers("staff_a")
    order = place(api, h, "2")
    assert order["status"] == "placed"
    assert len(order["pickup_code"]) == 6
    assert order["total"] == "25.00"  # 2 × 12.50, priced by contracts.pricing
    row = on_hand(api, h)
    assert (row["on_hand"], row["reserved"], row["available"]) == ("5.000", "2.000", "3.000")
    too_many = api.client.post(
        ORDERS,
        headers=h,
        json={
            "store": "store-a",
            "channel": "web",
            "fulfilment": "pickup",
            "customer": {"name": "Wu"},
            "lines": [{"sku": "MILK-1", "qty": "4"}],
        },
    )
    assert too_many.status_code == 409
    assert "3 available" in too_many.json()["detail"]
    res = api.client.post(f"{ORDERS}/{order['order_id']}/cancel", headers=h)
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "cancelled"
    assert res.json()["refunded"] == "25.00"
    row = on_hand(api, h)
    assert (row["on_hand"], row["reserved"], row["available"]) == ("5.000", "0.000", "5.000")
    again = api.client.post(f"{ORDERS}/{order['order_id']}/cancel", headers=h)
    assert again.status_code == 409


def test_two_staff_picking_the_same_order_conflict(api: Api) -> None:
    stock(api, "5")
    staff, manager = api.headers("staff_a"), api.headers("manager_a")
    order = place(api, staff)
    url = f"{ORDERS}/{order['order_id']}"
    assert api.client.post(f"{url}/pick", headers=staff).json()["picker"] == "staff_a"
    clash = api.client.post(f"{url}/pick", headers=manager)
    assert clash.status_code == 409
    assert clash.json()["detail"].endswith("is already being picked by staff_a")
    scan = api.client.post(f"{url}/scans", headers=manager, json={"code": "MILK-1"})
    assert scan.status_code == 409
    assert api.client.post(f"{url}/ready", headers=staff).status_code == 409  # nothing picked
    other = api.client.post(f"{url}/pick", headers=api.headers("manager_b"))
    assert other.status_code == 403


def test_collected_order_is_a_sale_in_settlement(api: Api) -> None:
    stock(api, "5")
    h = api.headers("staff_a")
    order = place(api, h, "2")
    url = f"{ORDERS}/{order['order_id']}"
    api.client.post(f"{url}/pick", headers=h)
    for code in ("06901234567892", "MILK-1"):  # a barcode, then the SKU typed
        res = api.client.post(f"{url}/scans", headers=h, json={"code": code})
        assert res.status_code == 200, res.text
    assert res.json()["lines"][0]["picked"] == "2.000"
    assert api.client.post(f"{url}/scans", headers=h, json={"code": "MILK-1"}).status_code == 409
    assert api.client.post(f"{url}/ready", headers=h).json()["status"] == "ready"
    assert api.client.post(f"{url}/dispatch", headers=h).status_code == 409  # a pickup order
    kiosk = api.headers("cashier_a")
    code = order["pickup_code"]
    shown = api.client.get(f"/api/v1/pickups/{code}", params={"store": "store-a"}, headers=kiosk)
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "ready"
    res = api.client.post(
        f"/api/v1/pickups/{code}/collect", json={"store": "store-a"}, headers=kiosk
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["order"]["status"] == "collected"
    paid = {"method": "online", "amount": "25.00", "provider": "online"}
    assert body["sale"]["tenders"] == [paid | {"reference": f"online-{order['order_id']}"}]
    row = on_hand(api, h)
    assert (row["on_hand"], row["reserved"]) == ("3.000", "0.000")
    m = api.headers("manager_a")
    sale = api.client.get(f"/api/v1/sales/{body['sale']['sale_id']}", headers=m).json()
    assert (sale["node"], sale["total"]) == ("online", "25.00")
    days = api.client.get(
        "/api/v1/finance/settlement", params={"store": "store-a", "date": "2026-03-02"}, headers=m
    ).json()
    online = next(d for d in days if d["node"] == "online")
    assert online["differences"] == []
    assert Decimal(online["total_cloud"]) == Decimal("25.00")
    assert online["tenders_cloud"] == {"online": "25.00"}
    again = api.client.post(
        f"/api/v1/pickups/{code}/collect", json={"store": "store-a"}, headers=kiosk
    )
    assert again.status_code == 409


def test_delivery_flow_and_listing(api: Api) -> None:
    stock(api, "5")
    h = api.headers("staff_a")
    no_address = api.client.post(
        ORDERS,
        headers=h,
        json={
            "store": "store-a",
            "channel": "phone",
            "fulfilment": "delivery",
            "customer": {"name": "Wu"},
            "lines": [{"sku": "MILK-1", "qty": "1"}],
        },
    )
    assert no_address.status_code == 422
    order = place(
        api, h, "1", fulfilment="delivery", customer={"name": "Wu", "address": "1 Nanjing Rd"}
    )
    url = f"{ORDERS}/{order['order_id']}"
    api.client.post(f"{url}/pick", headers=h)
    api.client.post(f"{url}/scans", headers=h, json={"code": "MILK-1"})
    for action, status in (("ready", "ready"), ("dispatch", "out_for_delivery")):
        assert api.client.post(f"{url}/{action}", headers=h).json()["status"] == status
    listed = api.client.get(
        ORDERS, params={"store": "store-a", "status": "out_for_delivery"}, headers=h
    )
    assert [o["order_id"] for o in listed.json()["items"]] == [order["order_id"]]
    done = api.client.post(f"{url}/deliver", headers=h).json()
    assert (done["status"], done["sale_id"]) == ("delivered", f"order-{order['order_id']}")
    assert api.client.get(ORDERS, params={"store": "store-b"}, headers=h).status_code == 403
    assert api.client.get(ORDERS, headers=api.headers("hq")).json()["total"] == 1
