"""The REST flow on SQLite and PostgreSQL: head office sets up a supplier, a manager orders
from the reorder suggestions, head office approves above the manager's limit, the order is
mailed, staff receive it by barcode in two deliveries; returns and payables after."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from cloud.auth.models import OutboxMail
from cloud.stores import service as stores
from tests.cloud.api.conftest import Api
from tests.cloud.purchasing.conftest import add_sales

V1 = "/api/v1"
BARCODE = "6901234567892"


def _setup(api: Api) -> dict[str, dict[str, str]]:
    with api.sessions() as s, s.begin():
        add_sales(s, stores.get_store(s, "store-a").id, "0" + BARCODE, 10, api.clock())
    hq = api.headers("hq")
    res = api.client.post(
        f"{V1}/suppliers",
        headers=hq,
        json={
            "code": "BRIGHT",
            "name": "Bright Dairy 光明乳业",
            "email": "orders@bright.example",
            "lead_time_days": 2,
        },
    )
    assert res.status_code == 201, res.text
    res = api.client.put(
        f"{V1}/suppliers/BRIGHT/items/MILK-1",
        headers=hq,
        json={"unit_cost": "6.00", "pack_size": 12, "supplier_sku": "BD-1L"},
    )
    assert res.status_code == 200, res.text
    return {"hq": hq, "m": api.headers("manager_a"), "s": api.headers("staff_a")}


def _on_hand(api: Api, h: dict[str, str]) -> Decimal:
    res = api.client.get(f"{V1}/inventory/store-a/on-hand", headers=h, params={"sku": "MILK-1"})
    items = res.json()["items"]
    return Decimal(items[0]["on_hand"]) if items else Decimal(0)


def _on_order(api: Api, h: dict[str, str]) -> Decimal:
    res = api.client.get(f"{V1}/forecast/reorder", headers=h, params={"store": "store-a"})
    row = next(r for r in res.json()["rows"] if r["sku"] == "MILK-1")
    return Decimal(str(row["on_order"]))


def test_reorder_to_received_over_rest(api: Api) -> None:
    h = _setup(api)
    res = api.client.post(
        f"{V1}/purchase-orders/from-reorder", headers=h["m"], json={"store": "store-a"}
    )
    assert res.status_code == 201, res.text
    (po,) = res.json()["orders"]
    number, qty = po["number"], Decimal(po["lines"][0]["qty_ordered"])
    assert qty % 12 == 0
    assert _on_order(api, h["m"]) == qty
    again = api.client.post(
        f"{V1}/purchase-orders/from-reorder", headers=h["m"], json={"store": "store-a"}
    )
    assert again.json()["orders"] == []

    limit = {"manager_max_amount": str(Decimal(po["total"]) - 1)}
    assert (
        api.client.put(
            f"{V1}/purchase-orders/approval-limit", headers=h["m"], json=limit
        ).status_code
        == 403
    )
    assert (
        api.client.put(
            f"{V1}/purchase-orders/approval-limit", headers=h["hq"], json=limit
        ).status_code
        == 200
    )
    res = api.client.post(f"{V1}/purchase-orders/{number}/approve", headers=h["m"])
    assert res.status_code == 403
    assert "head office" in res.text
    res = api.client.post(f"{V1}/purchase-orders/{number}/approve", headers=h["hq"])
    assert res.json()["status"] == "approved"
    res = api.client.post(f"{V1}/purchase-orders/{number}/send", headers=h["m"])
    assert res.json()["mailed"] is True
    with api.sessions() as s:
        mail = s.scalars(select(OutboxMail).where(OutboxMail.to == "orders@bright.example")).one()
        assert number in mail.subject
        assert "BD-1L" in mail.body
    pdf = api.client.get(f"{V1}/purchase-orders/{number}/pdf", headers=h["s"])
    assert pdf.content.startswith(b"%PDF")
    csv_text = api.client.get(f"{V1}/purchase-orders/{number}/csv", headers=h["s"]).text
    assert csv_text.splitlines()[1].startswith(f"{number},1,BD-1L,MILK-1,")

    url = f"{V1}/purchase-orders/{number}/receipts"
    over = {"lines": [{"code": BARCODE, "qty": str(qty + 1)}]}
    res = api.client.post(url, headers=h["s"], json=over)
    assert res.status_code == 422
    assert "reason" in res.text
    res = api.client.post(url, headers=h["s"], json={"lines": [{"code": BARCODE, "qty": "12"}]})
    assert res.json()["status"] == "partially_received"
    assert (_on_hand(api, h["s"]), _on_order(api, h["m"])) == (Decimal(12), qty - 12)
    rest = {"lines": [{"line_no": 1, "qty": str(qty - 13), "damaged": "1", "reason": "torn"}]}
    res = api.client.post(url, headers=h["s"], json=rest)
    assert res.json()["status"] == "received"
    assert (_on_hand(api, h["s"]), _on_order(api, h["m"])) == (qty - 1, Decimal(0))

    ret = {"line_no": 1, "qty": "2", "reason": "leaking"}
    assert (
        api.client.post(
            f"{V1}/purchase-orders/{number}/returns", headers=h["m"], json=ret
        ).status_code
        == 201
    )
    assert _on_hand(api, h["s"]) == qty - 3
    (payable,) = api.client.get(f"{V1}/purchase-orders/payables", headers=h["m"]).json()
    owed = (qty - 3) * 6
    assert (Decimal(payable["received"]), Decimal(payable["balance"])) == (owed, owed)
    paid = api.client.post(
        f"{V1}/purchase-orders/{number}/payments", headers=h["m"], json={"amount": "12.00"}
    )
    assert paid.status_code == 201
    (payable,) = api.client.get(f"{V1}/purchase-orders/payables", headers=h["m"]).json()
    assert Decimal(payable["balance"]) == owed - 12


def test_cancel_releases_and_other_store_is_hidden(api: Api) -> None:
    h = _setup(api)
    body = {"store": "store-a", "supplier": "BRIGHT", "lines": [{"sku": "MILK-1", "qty": "24"}]}
    res = api.client.post(f"{V1}/purchase-orders", headers=h["s"], json=body)
    assert res.status_code == 201, res.text
    number = res.json()["number"]
    assert Decimal(res.json()["total"]) == 144
    assert _on_order(api, h["m"]) == 24
    assert (
        api.client.get(f"{V1}/purchase-orders/{number}", headers=api.headers("staff_b")).status_code
        == 403
    )
    assert (
        api.client.post(f"{V1}/purchase-orders/{number}/cancel", headers=h["s"]).status_code == 403
    )
    res = api.client.post(f"{V1}/purchase-orders/{number}/cancel", headers=h["m"])
    assert res.json()["status"] == "cancelled"
    assert _on_order(api, h["m"]) == 0
    bad = api.client.post(
        f"{V1}/purchase-orders/{number}/receipts",
        headers=h["s"],
        json={"lines": [{"line_no": 1, "qty": "1"}]},
    )
    assert bad.status_code == 409


def test_supplier_csv_round_trip(api: Api) -> None:
    h = _setup(api)
    text = api.client.get(f"{V1}/suppliers/export.csv", headers=h["s"]).text
    assert "BRIGHT,Bright Dairy 光明乳业" in text
    assert ",MILK-1,BD-1L,6," in text
    new = text + "FARM,Green Farm,,,,,14,5,100,MILK-1,GF-9,5.5,6,,yes\nBAD,,\n"
    res = api.client.post(f"{V1}/suppliers/import", headers=h["hq"], json={"csv": new})
    out = res.json()
    assert (out["created"], out["updated"], out["items"]) == (1, 1, 2)
    assert [e["line"] for e in out["errors"]] == [4]
    farm = api.client.get(f"{V1}/suppliers/FARM", headers=h["s"]).json()
    assert farm["lead_time_days"] == 5
    assert farm["items"][0]["preferred"] is True
    assert (
        api.client.post(f"{V1}/suppliers/import", headers=h["m"], json={"csv": new}).status_code
        == 403
    )


def test_supplier_performance_report(api: Api) -> None:
    h = _setup(api)
    body = {"store": "store-a", "supplier": "BRIGHT", "lines": [{"sku": "MILK-1", "qty": "24"}]}
    number = api.client.post(f"{V1}/purchase-orders", headers=h["m"], json=body).json()["number"]
    for step in ("approve", "send"):
        api.client.post(f"{V1}/purchase-orders/{number}/{step}", headers=h["m"])
    api.clock.advance(days=3)  # lead time 2: a day late
    h = {"m": api.headers("manager_a"), "s": api.headers("staff_a")}  # tokens expired
    recv = {"lines": [{"line_no": 1, "qty": "18"}]}
    api.client.post(f"{V1}/purchase-orders/{number}/receipts", headers=h["s"], json=recv)
    api.client.post(f"{V1}/purchase-orders/{number}/close", headers=h["m"])
    params = {"store": "store-a", "from": "2026-03-01", "to": "2026-03-31"}
    res = api.client.get(
        f"{V1}/purchase-orders/supplier-performance", headers=h["m"], params=params
    )
    assert res.status_code == 200, res.text
    (row,) = res.json()["rows"]
    assert row["supplier"] == "BRIGHT"
    assert Decimal(str(row["on_time_pct"])) == 0
    assert Decimal(str(row["avg_days_late"])) == 1
    assert Decimal(str(row["fill_rate_pct"])) == 75
    assert Decimal(str(row["spend"])) == 108
    early = params | {"from": "0001-01-01", "to": "0001-01-02"}
    bad = api.client.get(f"{V1}/purchase-orders/supplier-performance", headers=h["m"], params=early)
    assert bad.status_code == 422
    params["format"] = "csv"
    csv_res = api.client.get(
        f"{V1}/purchase-orders/supplier-performance", headers=h["m"], params=params
    )
    assert csv_res.text.startswith("supplier,name,orders,on_time_pct")
