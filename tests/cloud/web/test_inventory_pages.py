"""Inventory pages on SQLite and PostgreSQL: receiving, stocktake with variance reasons,
transfers, movement history filters, shelf-vs-system reconciliation, store scope, CSRF and
malformed input."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cloud.inventory import service
from cloud.inventory.models import Movement
from cloud.products.models import Product
from contracts.messages import StockData
from tests.cloud.api.conftest import PASSWORD
from tests.cloud.api.helpers import store_id
from tests.cloud.web.conftest import Console

MILK_GTIN = "06901234567892"
INV = "/console/s/store-a/inventory"


def _stock(lane: str, count: int, state: str) -> StockData:
    return StockData.model_validate(
        {"lane": lane, "sku": "MILK-1", "gtin": MILK_GTIN, "count": count,
         "grams": str(count * 1030), "state": state}
    )  # fmt: skip


def _on_hand(console: Console, store: str, sku: str = "MILK-1") -> Decimal:
    with console.sessions() as s:
        pid = s.scalars(select(Product.id).where(Product.sku == sku)).one()
        return service.on_hand(s, store_id(s, store), pid)


def _receive(console: Console, token: str, qty: str, sku: str = "MILK-1") -> int:
    res = console.client.post(
        f"{INV}/receive",
        data={
            "sku": sku,
            "qty": qty,
            "unit_cost": "8.20",
            "reference": "PO-1",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    return int(res.status_code)


def test_receiving_by_sku_or_barcode_and_field_errors(console: Console) -> None:
    token = console.login("staff_a")
    assert _receive(console, token, "24") == 303
    assert _receive(console, token, "6", sku="6901234567892") == 303  # scanned EAN-13
    assert _on_hand(console, "store-a") == Decimal(30)
    res = console.client.post(
        f"{INV}/receive", data={"sku": "NOPE", "qty": "-1", "csrf_token": token}
    )
    assert res.status_code == 422
    assert 'id="e-sku"' in res.text
    assert 'id="e-qty"' in res.text
    assert 'aria-invalid="true"' in res.text
    page = console.client.get(INV)
    assert re.search(r'data-sku="MILK-1">.*?class="num onhand">30<', page.text, re.S)
    with console.sessions() as s:
        rows = s.scalars(select(Movement).where(Movement.kind == "receiving")).all()
        assert [r.reference for r in rows] == ["PO-1", "PO-1"]
        assert {r.unit_cost for r in rows} == {Decimal("8.20")}


def test_stocktake_sheet_needs_a_reason_for_a_variance(console: Console) -> None:
    token = console.login("manager_a")
    _receive(console, token, "10")
    sheet = console.client.get(f"{INV}/stocktake", params={"q": "MILK"})
    assert sheet.status_code == 200
    assert 'name="sku_0" value="MILK-1"' in sheet.text
    res = console.client.post(
        f"{INV}/stocktake", data={"sku_0": "MILK-1", "counted_0": "7", "csrf_token": token}
    )
    assert res.status_code == 422
    assert 'id="e-reason_0"' in res.text
    assert _on_hand(console, "store-a") == Decimal(10)  # nothing half recorded
    res = console.client.post(
        f"{INV}/stocktake",
        data={"sku_0": "MILK-1", "counted_0": "7", "reason_0": "damaged", "csrf_token": token},
    )
    assert res.status_code == 200  # redirected to the stocktake movements
    assert "stocktake" in str(res.url)
    assert _on_hand(console, "store-a") == Decimal(7)
    assert "damaged" in res.text
    assert "-3" in res.text
    # A count equal to the system needs no reason; an empty sheet is refused.
    res = console.client.post(
        f"{INV}/stocktake", data={"sku_0": "MILK-1", "counted_0": "7", "csrf_token": token}
    )
    assert res.status_code == 200
    res = console.client.post(f"{INV}/stocktake", data={"sku_0": "MILK-1", "csrf_token": token})
    assert res.status_code == 422


def test_transfer_between_stores(console: Console) -> None:
    token = console.login("manager_a")
    _receive(console, token, "10")
    form = {"to_store": "store-b", "sku": "MILK-1", "qty": "4", "reference": "T-1"}
    res = console.client.post(f"{INV}/transfer", data={**form, "qty": "11", "csrf_token": token})
    assert res.status_code == 422
    assert 'id="e-qty"' in res.text
    res = console.client.post(
        f"{INV}/transfer", data={**form, "to_store": "store-a", "csrf_token": token}
    )
    assert res.status_code == 422
    assert 'id="e-to_store"' in res.text
    res = console.client.post(
        f"{INV}/transfer", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    assert _on_hand(console, "store-a") == Decimal(6)
    assert _on_hand(console, "store-b") == Decimal(4)
    history = console.client.get(f"{INV}/movements", params={"kind": "transfer_out"})
    assert history.text.count('class="move transfer_out"') == 1
    assert 'class="move receiving"' not in history.text


def test_movement_filters_and_bad_filters(console: Console) -> None:
    token = console.login("staff_a")
    with console.sessions() as s, s.begin():
        pid = s.scalars(select(Product.id).where(Product.sku == "MILK-1")).one()
        service.move(
            s,
            store_id=store_id(s, "store-a"),
            product_id=pid,
            kind="receiving",
            qty=Decimal(5),
            now=console.clock() - timedelta(days=2),
        )
    _receive(console, token, "3")
    day = console.clock().date().isoformat()
    res = console.client.get(f"{INV}/movements", params={"from": day, "to": day})
    assert res.text.count('class="move receiving"') == 1
    res = console.client.get(f"{INV}/movements", params={"sku": "MILK-1"})
    assert res.text.count('class="move receiving"') == 2
    for bad in ({"from": "2026-13-45"}, {"kind": "<b>x</b>"}, {"sku": "\x00"}, {"to": "x" * 60}):
        res = console.client.get(f"{INV}/movements", params=bad)
        assert res.status_code == 422, bad
        assert "<b>x</b>" not in res.text


def test_reconciliation_shows_the_rule_and_each_action(console: Console) -> None:
    now = console.clock()
    with console.sessions() as s, s.begin():
        sid = store_id(s, "store-a")
        pid = s.scalars(select(Product.id).where(Product.sku == "MILK-1")).one()
        service.move(s, store_id=sid, product_id=pid, kind="receiving", qty=Decimal(12), now=now)
        service.apply_stock(
            s,
            store_id=sid,
            node="shelf-1",
            data=_stock("a1", 1, "low"),
            now=now,
        )  # fmt: skip
    console.login("staff_a")
    page = console.client.get(f"{INV}/reconcile")
    assert page.status_code == 200
    assert 'id="rule"' in page.text
    assert "backroom" in page.text.lower()
    assert re.search(r'data-sku="MILK-1" class="verdict replenish"', page.text)
    console.clock.advance(hours=5)  # still low five hours later: the backroom stock is doubtful
    page = console.client.get(f"{INV}/reconcile")
    assert 'class="verdict shrink"' in page.text
    zh = console.client.get(f"{INV}/reconcile", headers={"Accept-Language": "zh-CN"})
    assert "疑似损耗" in zh.text or "Suspected" in zh.text


def test_staff_of_store_a_cannot_open_store_b_inventory(console: Console) -> None:
    token = console.login("staff_a")
    tabs = ("", "/receive", "/stocktake", "/transfer", "/movements", "/reconcile")
    for tab in tabs:
        assert console.client.get(f"{INV}{tab}").status_code == 200, tab
        assert console.client.get(f"/console/s/store-b/inventory{tab}").status_code == 403, tab
    for tab in ("/receive", "/stocktake", "/transfer"):
        res = console.client.post(
            f"/console/s/store-b/inventory{tab}",
            data={"sku": "MILK-1", "qty": "1", "to_store": "store-a", "csrf_token": token},
        )
        assert res.status_code == 403, tab
    assert _on_hand(console, "store-b") == 0
    console.client.cookies.clear()
    page = console.client.get("/console/login")
    login_token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert login_token is not None
    res = console.client.post(
        "/console/login",
        data={"username": "cashier_a", "password": PASSWORD, "csrf_token": login_token.group(1)},
        follow_redirects=False,
    )
    assert res.status_code == 303
    assert console.client.get(INV).status_code == 403  # the role, not only the store


def test_csrf_is_enforced_on_inventory_forms(console: Console) -> None:
    console.login("manager_a")
    for tab, data in (
        ("/receive", {"sku": "MILK-1", "qty": "5"}),
        ("/stocktake", {"sku_0": "MILK-1", "counted_0": "5", "reason_0": "other"}),
        ("/transfer", {"sku": "MILK-1", "qty": "1", "to_store": "store-b"}),
    ):
        assert console.client.post(f"{INV}{tab}", data=data).status_code == 403
        forged = {**data, "csrf_token": "f" * 64}
        assert console.client.post(f"{INV}{tab}", data=forged).status_code == 403
    with console.sessions() as s:
        assert s.scalars(select(Movement)).first() is None


@pytest.mark.parametrize(
    "data",
    [
        {"sku": "MILK-1", "qty": "1e999"},
        {"sku": "MILK-1", "qty": "NaN"},
        {"sku": "MILK-1", "qty": "0.0001"},
        {"sku": "\x00", "qty": "1"},
        {"sku": "MILK-1" * 40, "qty": "9" * 30},
        {"sku": "MILK-1", "qty": "1", "unit_cost": "-3"},
    ],
)
def test_malformed_receiving_is_a_field_error(console: Console, data: dict[str, str]) -> None:
    token = console.login("staff_a")
    res = console.client.post(f"{INV}/receive", data={**data, "csrf_token": token})
    assert res.status_code == 422
    assert 'role="alert"' in res.text


def test_stock_page_lists_lanes_and_switches_language(console: Console) -> None:
    with console.sessions() as s, s.begin():
        service.apply_stock(
            s,
            store_id=store_id(s, "store-a"),
            node="shelf-1",
            data=_stock("b2", 0, "out"),
            now=console.clock() - timedelta(minutes=3),
        )  # fmt: skip
    console.login("manager_a")
    page = console.client.get(INV)
    assert re.search(r"<td>shelf-1</td><td>b2</td>", page.text)
    assert "Out" in page.text
    console.client.get("/console/lang/zh-Hans")
    assert "缺货" in console.client.get(INV).text
