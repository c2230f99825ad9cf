"""Purchase-order pages on SQLite and PostgreSQL: a manager approves and sends an order,
staff open it on the receiving page by its number and book counts (an over-delivery without
a reason is refused at its line); another store's order is not found."""

from __future__ import annotations

import re
from decimal import Decimal

from cloud.auth.models import Role
from cloud.db.session import transaction
from cloud.inventory import service as inventory
from cloud.products import service as products
from cloud.purchasing.service import orders, receiving
from cloud.stores import service as stores
from cloud.suppliers import service as suppliers
from tests.cloud.web.conftest import Console


def _order(console: Console, store: str = "store-a") -> str:
    with transaction(console.sessions) as s:
        sup = suppliers.find(s, "BRIGHT") or suppliers.create(
            s, "BRIGHT", {"name": "Bright Dairy", "email": "o@bright.example"}, console.clock()
        )
        milk = products.get_product(s, "MILK-1")
        suppliers.set_item(s, sup, milk.id, unit_cost=Decimal("6.00"), supplier_sku="BD-1L")
        po = orders.create(
            s, stores.get_store(s, store), sup, [orders.LineIn(milk.id, Decimal(24))],
            now=console.clock(), by="manager_a",
        )  # fmt: skip
        return po.number


def _milk(console: Console) -> Decimal:
    with console.sessions() as s:
        milk = products.get_product(s, "MILK-1")
        return inventory.on_hand(s, stores.get_store(s, "store-a").id, milk.id)


def test_approve_send_and_receive_on_the_phone_page(console: Console) -> None:
    number = _order(console)
    token = console.login("manager_a")
    base = f"/console/s/store-a/purchase-orders/{number}"
    listing = console.client.get("/console/s/store-a/purchase-orders")
    assert f'id="po-{number}"' in listing.text
    for action in ("approve", "send"):
        res = console.client.post(f"{base}/{action}", data={"csrf_token": token})
        assert res.status_code == 200, res.text
        assert 'id="done"' in res.text
    assert 'id="receive"' in console.client.get(base).text

    token = console.login("staff_a")
    page = console.client.get("/console/s/store-a/receive", params={"po": number.lower()})
    assert 'data-codes="MILK-1 06901234567892 BD-1L"' in page.text
    url = f"/console/s/store-a/receive/{number}"
    res = console.client.post(url, data={"csrf_token": token, "qty_1": "25"})
    assert res.status_code == 422
    assert 'id="e-reason_1"' in res.text
    assert _milk(console) == 0
    res = console.client.post(url, data={"csrf_token": token, "qty_1": "10"})
    assert res.status_code == 200
    assert 'id="done"' in res.text
    assert _milk(console) == 10
    res = console.client.post(
        url, data={"csrf_token": token, "qty_1": "15", "reason_1": "one extra, kept"}
    )
    assert _milk(console) == 25
    assert "Received" in res.text


def test_staff_cannot_approve_and_other_stores_orders_are_hidden(console: Console) -> None:
    number = _order(console, "store-b")
    token = console.login("staff_a")
    res = console.client.get("/console/s/store-a/receive", params={"po": number})
    assert res.status_code == 404
    assert 'id="e-po"' in res.text
    mine = _order(console)
    res = console.client.post(
        f"/console/s/store-a/purchase-orders/{mine}/approve", data={"csrf_token": token}
    )
    assert res.status_code == 403
    assert console.client.get("/console/suppliers").status_code == 200


def test_the_pnl_page_shows_what_is_owed_to_suppliers(console: Console) -> None:
    number = _order(console)
    with transaction(console.sessions) as s:
        po = orders.get(s, number)
        orders.approve(s, po, role=Role.MANAGER, by="m", now=console.clock())
        orders.mark_sent(s, po, stores.get_store(s, "store-a"), console.clock())
        receiving.receive(s, po, [receiving.Count(1, Decimal(20))], by="s", now=console.clock())
    console.login("manager_a")
    page = console.client.get("/console/reports/pnl", params={"store": "store-a"})
    row = re.search(r'id="payables".*?<tbody>(.*?)</tbody>', page.text, re.S)
    assert row is not None
    assert "Bright Dairy (BRIGHT)" in row.group(1)
    assert row.group(1).count("120.00") == 2  # received and balance; nothing paid or due yet


def test_staff_draft_an_order_by_hand(console: Console) -> None:
    _order(console)  # the supplier and its price for milk
    token = console.login("staff_a")
    url = "/console/s/store-a/purchase-orders/new"
    assert 'id="f-supplier"' in console.client.get(url).text
    bad = {"csrf_token": token, "supplier": "BRIGHT", "sku_0": "NOPE", "qty_0": "0"}
    res = console.client.post(url, data=bad)
    assert res.status_code == 422
    assert 'id="e-sku_0"' in res.text
    assert 'id="e-qty_0"' in res.text
    good = {"csrf_token": token, "supplier": "BRIGHT", "sku_0": "6901234567892", "qty_0": "12"}
    res = console.client.post(url, data=good, follow_redirects=False)
    assert res.status_code == 303
    number = res.headers["location"].rsplit("/", 1)[1]
    with console.sessions() as s:
        order = orders.get(s, number)
        (line,) = orders.lines(s, order)
        assert (order.status, order.created_by, order.total) == ("draft", "staff_a", Decimal(72))
        assert (line.qty_ordered, line.supplier_sku) == (Decimal(12), "BD-1L")
