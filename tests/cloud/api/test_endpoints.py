"""The endpoints SPEC.md names, and the write endpoints, with their filters and pagination."""

from __future__ import annotations

from datetime import timedelta

from cloud.devices import service as devices
from cloud.ingest import service as ingest
from tests.cloud.api.conftest import T0, Api
from tests.cloud.api.helpers import add_sale, open_alert


def test_products_by_barcode_in_any_notation(api: Api) -> None:
    headers = api.headers("staff_a")
    for code in ("6901234567892", "06901234567892"):
        res = api.client.get("/api/v1/products", params={"barcode": code}, headers=headers)
        assert [p["sku"] for p in res.json()["items"]] == ["MILK-1"]
    res = api.client.get("/api/v1/products", params={"barcode": "4006381333931"}, headers=headers)
    assert res.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_product_crud_money_as_strings(api: Api) -> None:
    admin = api.headers("admin")
    body = {"sku": "EGG-12", "name": "Eggs x12", "price": "18.8", "member_price": "16.90",
            "gtins": ["4006381333931"], "category": "dairy", "unit_weight_g": "720"}  # fmt: skip
    res = api.client.post("/api/v1/products", json=body, headers=admin)
    assert res.status_code == 201, res.text
    out = res.json()
    assert (out["price"], out["member_price"], out["unit_weight_g"]) == (
        "18.80",
        "16.90",
        "720.000",
    )
    assert out["gtins"] == ["04006381333931"]
    res = api.client.patch("/api/v1/products/EGG-12", json={"category": None}, headers=admin)
    assert res.status_code == 200
    assert api.client.delete("/api/v1/products/EGG-12", headers=admin).status_code == 204
    listed = api.client.get("/api/v1/products", params={"active": "false"}, headers=admin).json()
    assert [p["sku"] for p in listed["items"]] == ["EGG-12"]


def test_price_change_tells_the_price_book_publisher(api: Api) -> None:
    calls: list[object] = []

    class Recorder:
        def changed(self, session: object, stores: object = None) -> None:
            calls.append(stores)

    api.app.state.ctx.publisher = Recorder()
    admin = api.headers("admin")
    api.client.patch("/api/v1/products/MILK-1", json={"price": "11.00"}, headers=admin)
    rule = {"kind": "amount_off", "id": "a1", "name": "One off", "amount": "1.00"}
    api.client.post("/api/v1/promotions", json={"rule": rule, "store": "store-a"}, headers=admin)
    assert calls == [None, ["store-a"]]


def test_sales_by_store_since_with_pagination(api: Api) -> None:
    with api.sessions() as session, session.begin():
        for i in range(5):
            add_sale(session, "store-a", f"A-{i}", T0 + timedelta(hours=i), "10.00")
        add_sale(session, "store-b", "B-0", T0, "99.00")
    admin = api.headers("admin")
    since = (T0 + timedelta(hours=2)).isoformat()
    res = api.client.get(
        "/api/v1/sales", params={"store": "store-a", "since": since, "limit": 2}, headers=admin
    )
    body = res.json()
    assert body["total"] == 3
    assert [s["sale_id"] for s in body["items"]] == ["A-4", "A-3"]
    assert body["items"][0]["total"] == "10.00"
    assert body["items"][0]["completed_at"] == "2026-03-02T13:30:00.000Z"
    page2 = api.client.get(
        "/api/v1/sales",
        params={"store": "store-a", "since": since, "limit": 2, "offset": 2},
        headers=admin,
    ).json()
    assert [s["sale_id"] for s in page2["items"]] == ["A-2"]


def test_alerts_by_store_and_status_and_lifecycle(api: Api) -> None:
    with api.sessions() as session, session.begin():
        first = open_alert(session, "store-a", "shelf-1/lane-1", T0)
        open_alert(session, "store-a", "shelf-1/lane-2", T0)
        open_alert(session, "store-b", "shelf-1/lane-1", T0)
    staff = api.headers("staff_a")
    c = api.client
    assert c.post(f"/api/v1/alerts/{first}/acknowledge", headers=staff).status_code == 200
    assert c.post(f"/api/v1/alerts/{first}/acknowledge", headers=staff).status_code == 409
    res = c.post(f"/api/v1/alerts/{first}/assign", json={"assignee": "staff_a"}, headers=staff)
    assert res.json()["assignee"] == "staff_a"
    admin = api.headers("admin")
    params = {"store": "store-a", "status": "active_unack"}
    listed = c.get("/api/v1/alerts", params=params, headers=admin).json()
    assert [a["source"] for a in listed["items"]] == ["shelf-1/lane-2"]
    assert c.post(f"/api/v1/alerts/{first}/resolve", headers=staff).status_code == 200
    cleared = c.get("/api/v1/alerts", params={"status": "cleared"}, headers=admin).json()
    assert [a["id"] for a in cleared["items"]] == [first]
    assert c.get("/api/v1/alerts", params={"status": "open"}, headers=admin).json()["total"] == 2


def test_store_devices(api: Api) -> None:
    with api.sessions() as session, session.begin():
        devices.register_device(session, "store-a", "kiosk-1", "kiosk")
        devices.register_device(session, "store-a", "shelf-1", "shelf")
    res = api.client.get("/api/v1/stores/store-a/devices", headers=api.headers("staff_a"))
    assert [(d["node"], d["kind"], d["online"]) for d in res.json()["items"]] == [
        ("kiosk-1", "kiosk", False),
        ("shelf-1", "shelf", False),
    ]
    dup = {"node": "kiosk-1"}
    res = api.client.post(
        "/api/v1/stores/store-a/devices", json=dup, headers=api.headers("manager_a")
    )
    assert res.status_code == 409


def test_daily_sales_report_in_store_local_days(api: Api) -> None:
    with api.sessions() as session, session.begin():
        # Asia/Shanghai is UTC+8: 17:00Z on the 2nd is already the 3rd locally.
        add_sale(session, "store-a", "A-1", T0, "10.00")
        add_sale(session, "store-a", "A-2", T0 + timedelta(hours=1), "5.50")
        add_sale(session, "store-a", "A-3", T0.replace(hour=17), "1.25")
        add_sale(session, "store-b", "B-1", T0, "99.00")
    res = api.client.get(
        "/api/v1/reports/sales/daily",
        params={"store": "store-a", "from": "2026-03-01", "to": "2026-03-03"},
        headers=api.headers("manager_a"),
    )
    assert res.status_code == 200
    assert [(r["date"], r["sales_count"], r["total"]) for r in res.json()] == [
        ("2026-03-02", 2, "15.50"),
        ("2026-03-03", 1, "1.25"),
    ]


def test_inventory_receiving_adjustment_stocktake_transfer(api: Api) -> None:
    staff = api.headers("staff_a")
    c = api.client
    base = "/api/v1/inventory/store-a"
    recv = {"sku": "MILK-1", "qty": "24", "unit_cost": "8.00", "reference": "PO-1"}
    assert c.post(f"{base}/receiving", json=recv, headers=staff).status_code == 201
    adj = {"sku": "MILK-1", "qty": "-2", "reason": "damaged"}
    assert c.post(f"{base}/adjustments", json=adj, headers=staff).status_code == 201
    take = {"counts": [{"sku": "MILK-1", "counted": "20", "reason": "theft"}]}
    res = c.post(f"{base}/stocktake", json=take, headers=staff)
    assert [m["qty"] for m in res.json()] == ["-2.000"]
    move = {"to_store": "store-b", "sku": "MILK-1", "qty": "5"}
    assert c.post(f"{base}/transfers", json=move, headers=staff).status_code == 201
    on_hand = c.get(f"{base}/on-hand", headers=staff).json()["items"]
    assert on_hand == [
        {
            "sku": "MILK-1",
            "name": "Milk 1 L",
            "on_hand": "15.000",
            "reserved": "0.000",  # no open online order
            "available": "15.000",
        }
    ]
    other = c.get("/api/v1/inventory/store-b/on-hand", headers=api.headers("staff_b")).json()
    assert other["items"][0]["on_hand"] == "5.000"
    kinds = [m["kind"] for m in c.get(f"{base}/movements", headers=staff).json()["items"]]
    assert sorted(kinds) == ["adjustment", "receiving", "stocktake", "transfer_out"]
    assert (
        c.post(f"{base}/receiving", json=recv, headers=api.headers("cashier_a")).status_code == 403
    )


def test_members_and_points(api: Api) -> None:
    staff = api.headers("staff_a")
    c = api.client
    res = c.post("/api/v1/members", json={"phone": "13800138000", "name": "Wang"}, headers=staff)
    assert res.status_code == 201
    member = res.json()
    assert member["lifetime_spend"] == "0.00"
    dup = c.post("/api/v1/members", json={"phone": "13800138000"}, headers=staff)
    assert dup.status_code == 409
    found = c.get("/api/v1/members", params={"phone": "13800138000"}, headers=staff)
    assert found.json()["total"] == 1
    url = f"/api/v1/members/{member['id']}/points"
    body = {"points": 100, "reason": "welcome"}
    assert c.post(url, json=body, headers=staff).status_code == 403  # managers adjust points
    res = c.post(url, json=body, headers=api.headers("manager_a"))
    assert res.json()["points_balance"] == 100
    res = c.post(url, json={"points": -101, "reason": "too much"}, headers=api.headers("manager_a"))
    assert res.status_code == 422
    ledger = c.get(url, headers=staff).json()
    assert [(e["kind"], e["points"]) for e in ledger["items"]] == [("adjust", 100)]


def test_promotion_crud_validated_by_contracts(api: Api) -> None:
    admin = api.headers("admin")
    c = api.client
    rule = {
        "kind": "buy_x_get_y", "id": "milk-2for1", "name": "Milk 2 for 1", "buy": 1, "get": 1,
        "targets": {"skus": ["MILK-1"]},
        "window": {"starts_at": "2026-03-01T00:00:00+08:00", "ends_at": "2026-04-01T00:00:00Z"},
    }  # fmt: skip
    res = c.post("/api/v1/promotions", json={"rule": rule}, headers=admin)
    assert res.status_code == 201, res.text
    assert res.json()["starts_at"] == "2026-02-28T16:00:00.000Z"
    assert c.post("/api/v1/promotions", json={"rule": rule}, headers=admin).status_code == 409
    backwards = {
        **rule,
        "window": {"starts_at": "2026-04-01T00:00:00Z", "ends_at": "2026-03-01T00:00:00Z"},
    }
    res = c.patch("/api/v1/promotions/milk-2for1", json={"rule": backwards}, headers=admin)
    assert res.status_code == 422
    res = c.patch("/api/v1/promotions/milk-2for1", json={"active": False}, headers=admin)
    assert res.json()["active"] is False
    assert c.get("/api/v1/promotions/milk-2for1", headers=api.headers("staff_a")).status_code == 200
    assert c.delete("/api/v1/promotions/milk-2for1", headers=admin).status_code == 204
    assert c.get("/api/v1/promotions/milk-2for1", headers=admin).status_code == 404


def test_dead_letters_list_and_replay(api: Api) -> None:
    with api.sessions() as session, session.begin():
        dl = ingest.record_dead_letter(
            session, "smartstore/v1/store-a/kiosk-1/evt/sale", b"{not json", "invalid JSON", T0
        )
        dl_id = dl.id
    admin = api.headers("admin")
    listed = api.client.get("/api/v1/deadletters", params={"status": "new"}, headers=admin).json()
    assert [(d["id"], d["payload_text"], d["reason"]) for d in listed["items"]] == [
        (dl_id, "{not json", "invalid JSON")
    ]
    res = api.client.post(f"/api/v1/deadletters/{dl_id}/replay", json={}, headers=admin)
    assert res.status_code == 200
    assert res.json()["ok"] is False
    assert res.json()["dead_letter"]["attempts"] == 1
    res = api.client.post(f"/api/v1/deadletters/{dl_id}/discard", headers=admin)
    assert res.json()["status"] == "discarded"
    res = api.client.post(f"/api/v1/deadletters/{dl_id}/replay", json={}, headers=admin)
    assert res.status_code == 409


def test_every_write_is_audited(api: Api) -> None:
    admin = api.headers("admin")
    api.client.patch("/api/v1/products/MILK-1", json={"price": "11.00"}, headers=admin)
    api.client.post("/api/v1/stores", json={"code": "store-c", "name": "C"}, headers=admin)
    api.client.post("/api/v1/members", json={"card": "CARD-1"}, headers=admin)
    log = api.client.get("/api/v1/audit", params={"actor": "admin"}, headers=admin).json()
    seen = {(e["action"], e["entity"]) for e in log["items"]}
    assert {
        ("update", "product"),
        ("create", "store"),
        ("create", "member"),
        ("login", "user"),
    } <= seen
    assert all(e["at"].endswith("Z") for e in log["items"])
    # Managers see only their stores' entries.
    scoped = api.client.get("/api/v1/audit", headers=api.headers("manager_b")).json()
    assert all(e["store_id"] is not None for e in scoped["items"])


def test_healthz(api: Api) -> None:
    res = api.client.get("/healthz")
    assert res.json() == {"status": "ok", "database": "ok"}
    assert "/api/v1/products" in api.client.get("/openapi.json").json()["paths"]
