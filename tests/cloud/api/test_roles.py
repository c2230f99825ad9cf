"""Role matrix: who may do what, and where (store scope)."""

from __future__ import annotations

import pytest

from tests.cloud.api.conftest import T0, Api
from tests.cloud.api.helpers import add_sale, open_alert


def _price(api: Api, user: str, price: str) -> int:
    res = api.client.patch(
        "/api/v1/products/MILK-1", json={"price": price}, headers=api.headers(user)
    )
    return res.status_code


def test_store_roles_cannot_change_chain_prices(api: Api) -> None:
    for user in ("cashier_a", "staff_a", "manager_a"):
        assert _price(api, user, "1.00") == 403, user
    res = api.client.get("/api/v1/products/MILK-1", headers=api.headers("staff_a"))
    assert res.status_code == 200
    assert res.json()["price"] == "12.50"  # a decimal string, unchanged


def test_head_office_and_admin_change_prices_and_it_is_audited(api: Api) -> None:
    assert _price(api, "hq", "13.00") == 200
    assert _price(api, "admin", "13.20") == 200
    res = api.client.get("/api/v1/products/MILK-1", headers=api.headers("manager_a"))
    assert res.json()["price"] == "13.20"
    log = api.client.get(
        "/api/v1/audit",
        params={"entity": "product", "entity_id": "MILK-1"},
        headers=api.headers("admin"),
    ).json()["items"]
    assert [(e["actor"], e["details"]["after"]["price"]) for e in log] == [
        ("admin", "13.20"),
        ("hq", "13.00"),
    ]
    assert log[1]["details"]["before"]["price"] == "12.50"


def test_staff_acknowledge_alerts_only_in_their_store(api: Api) -> None:
    with api.sessions() as session, session.begin():
        alert_a = open_alert(session, "store-a", "shelf-1/lane-1", T0)
        alert_b = open_alert(session, "store-b", "shelf-1/lane-1", T0)
    staff_a = api.headers("staff_a")
    res = api.client.post(f"/api/v1/alerts/{alert_b}/acknowledge", headers=staff_a)
    assert res.status_code == 403
    res = api.client.post(f"/api/v1/alerts/{alert_a}/acknowledge", headers=staff_a)
    assert res.status_code == 200
    assert res.json()["status"] == "active_ack"
    assert res.json()["acknowledged_by"] == "staff_a"
    # Cashiers see alerts of their store but do not handle them.
    with api.sessions() as session, session.begin():
        other = open_alert(session, "store-a", "shelf-1/lane-2", T0)
    cashier = api.headers("cashier_a")
    assert (
        api.client.post(f"/api/v1/alerts/{other}/acknowledge", headers=cashier).status_code == 403
    )
    listed = api.client.get("/api/v1/alerts", headers=staff_a).json()
    assert {a["store"] for a in listed["items"]} == {"store-a"}
    res = api.client.get("/api/v1/alerts", params={"store": "store-b"}, headers=staff_a)
    assert res.status_code == 403


def test_manager_of_store_a_cannot_read_store_b(api: Api) -> None:
    with api.sessions() as session, session.begin():
        add_sale(session, "store-a", "A-1", T0, "10.00")
        add_sale(session, "store-b", "B-1", T0, "20.00")
    manager = api.headers("manager_a")
    for path, params in [
        ("/api/v1/sales", {"store": "store-b"}),
        ("/api/v1/alerts", {"store": "store-b"}),
        ("/api/v1/stores/store-b", {}),
        ("/api/v1/stores/store-b/devices", {}),
        ("/api/v1/inventory/store-b/on-hand", {}),
        (
            "/api/v1/reports/sales/daily",
            {"store": "store-b", "from": "2026-03-01", "to": "2026-03-03"},
        ),
        ("/api/v1/sales/B-1", {}),
    ]:
        res = api.client.get(path, params=params, headers=manager)
        assert res.status_code == 403, path
    own = api.client.get("/api/v1/sales", headers=manager).json()
    assert [s["sale_id"] for s in own["items"]] == ["A-1"]
    stores = api.client.get("/api/v1/stores", headers=manager).json()
    assert [s["code"] for s in stores["items"]] == ["store-a"]


@pytest.mark.parametrize("user", ["manager_a", "staff_a", "cashier_a"])
def test_only_admins_manage_users_and_dead_letters(api: Api, user: str) -> None:
    headers = api.headers(user)
    assert api.client.get("/api/v1/users", headers=headers).status_code == 403
    body = {"username": "x1", "password": "long enough", "role": "admin"}
    assert api.client.post("/api/v1/users", json=body, headers=headers).status_code == 403
    assert api.client.get("/api/v1/deadletters", headers=headers).status_code == 403


def test_admin_can_do_everything(api: Api) -> None:
    with api.sessions() as session, session.begin():
        alert_b = open_alert(session, "store-b", "shelf-1/lane-1", T0)
        add_sale(session, "store-b", "B-1", T0, "20.00")
    admin = api.headers("admin")
    c = api.client
    assert _price(api, "admin", "9.90") == 200
    assert c.post(f"/api/v1/alerts/{alert_b}/acknowledge", headers=admin).status_code == 200
    assert c.post(f"/api/v1/alerts/{alert_b}/resolve", headers=admin).status_code == 200
    assert c.get("/api/v1/sales", params={"store": "store-b"}, headers=admin).json()["total"] == 1
    assert c.get("/api/v1/stores", headers=admin).json()["total"] == 2
    assert c.get("/api/v1/users", headers=admin).json()["total"] == 7
    assert c.get("/api/v1/deadletters", headers=admin).status_code == 200
    assert (
        c.post("/api/v1/stores", json={"code": "store-c", "name": "C"}, headers=admin).status_code
        == 201
    )
    dev = {"node": "kiosk-9", "kind": "kiosk"}
    assert c.post("/api/v1/stores/store-c/devices", json=dev, headers=admin).status_code == 201
    recv = {"sku": "MILK-1", "qty": "12"}
    assert (
        c.post("/api/v1/inventory/store-b/receiving", json=recv, headers=admin).status_code == 201
    )
    user = {
        "username": "new.staff",
        "password": "long enough",
        "role": "staff",
        "stores": ["store-c"],
    }
    assert c.post("/api/v1/users", json=user, headers=admin).status_code == 201


def test_manager_promotions_only_for_own_store(api: Api) -> None:
    rule = {"kind": "percent_off", "id": "p1", "name": "Ten off", "percent": "10"}
    manager = api.headers("manager_a")
    chain = api.client.post("/api/v1/promotions", json={"rule": rule}, headers=manager)
    assert chain.status_code == 403
    other = api.client.post(
        "/api/v1/promotions", json={"rule": rule, "store": "store-b"}, headers=manager
    )
    assert other.status_code == 403
    own = api.client.post(
        "/api/v1/promotions", json={"rule": rule, "store": "store-a"}, headers=manager
    )
    assert own.status_code == 201
    assert (
        api.client.delete("/api/v1/promotions/p1", headers=api.headers("manager_b")).status_code
        == 403
    )


def test_head_office_belongs_to_no_store_and_store_roles_to_one(api: Api) -> None:
    admin = api.headers("admin")
    body = {"username": "hq2", "password": "long enough", "role": "hq", "stores": ["store-a"]}
    res = api.client.post("/api/v1/users", json=body, headers=admin)
    assert res.status_code == 422
    assert "no store" in res.text
    res = api.client.post("/api/v1/users", json={**body, "stores": []}, headers=admin)
    assert res.status_code == 201, res.text
    user = res.json()["id"]
    res = api.client.patch(f"/api/v1/users/{user}", json={"stores": ["store-b"]}, headers=admin)
    assert res.status_code == 422
    res = api.client.post(
        "/api/v1/users",
        json={**body, "username": "m2", "role": "manager", "stores": []},
        headers=admin,
    )
    assert res.status_code == 422
