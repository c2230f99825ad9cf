"""Receiving a purchase order on a phone (375 px, Debian's chromium through Playwright):
staff type the order number, then type each item's barcode (as a scanner would, ending in
Enter), book the delivery in two parts, and the stock, cost and status follow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.auth.models import Role
from cloud.finance import service as finance
from cloud.finance.costing import walk
from cloud.inventory import service as inventory
from cloud.products.models import Product, ProductBarcode
from cloud.purchasing.service import orders
from cloud.stores import service as stores
from cloud.suppliers import service as suppliers
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser
WIDTH = 375


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        yield srv


def _sent_order(server: ConsoleServer) -> tuple[str, list[tuple[int, str]]]:
    """A sent order of two products (4 and 2 units at 3.00) in the demo store."""
    now = datetime.now(UTC)
    with server.sessions() as s, s.begin():
        rows = s.execute(
            select(Product.id, ProductBarcode.gtin)
            .join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .order_by(Product.sku)
            .limit(2)
        ).all()
        sup = suppliers.create(s, "BRIGHT", {"name": "Bright Dairy 光明乳业"}, now)
        for pid, _ in rows:
            suppliers.set_item(s, sup, pid, unit_cost=Decimal("3.00"))
        store = stores.get_store(s, "demo")
        wanted = [orders.LineIn(rows[0][0], Decimal(4)), orders.LineIn(rows[1][0], Decimal(2))]
        po = orders.create(s, store, sup, wanted, now=now, by="manager")
        orders.approve(s, po, role=Role.MANAGER, by="manager", now=now)
        orders.mark_sent(s, po, store, now)
        return po.number, [(int(pid), str(gtin)) for pid, gtin in rows]


def _stock(server: ConsoleServer, product_id: int) -> tuple[Decimal, Decimal | None]:
    with server.sessions() as s:
        sid = stores.get_store(s, "demo").id
        state = walk(finance.ledger(s, sid, datetime.now(UTC) + timedelta(days=1))).states
        cost = state.get(f"p{product_id}")
        return inventory.on_hand(s, sid, product_id), cost.average if cost else None


def _scan(page: object, code: str, times: int) -> None:
    for _ in range(times):
        page.fill("#scan", code)  # type: ignore[attr-defined]
        page.press("#scan", "Enter")  # type: ignore[attr-defined]


def test_staff_receive_an_order_by_typed_barcodes_at_375px(server: ConsoleServer) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    number, ((first, gtin1), (second, gtin2)) = _sent_order(server)
    before = [_stock(server, first)[0], _stock(server, second)[0]]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = browser.new_context(
            viewport={"width": WIDTH, "height": 812}, is_mobile=True, has_touch=True
        )
        page = ctx.new_page()
        page.goto(server.url + "/console/login?next=/console/s/demo/receive")
        page.fill("#username", "staff")
        page.fill("#password", PASSWORD)
        page.click("#login")
        page.goto(server.url + "/console/s/demo/receive")
        page.fill("#f-po", number.lower())
        page.click("#open-po")
        expect(page.locator("#po-title")).to_contain_text(number)
        expect(page.locator("#scan-box")).to_be_visible()

        _scan(page, gtin1.lstrip("0"), 3)  # EAN-13 as printed, three units of four
        _scan(page, "0000000000000", 1)  # not on the order: said so, nothing counted
        expect(page.locator("#scan-status")).to_contain_text("0000000000000")
        expect(page.locator("#f-qty_1")).to_have_value("3")
        expect(page.locator("#f-qty_2")).to_have_value("")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"horizontal scrolling on a phone: {width}px"
        page.screenshot(path=str(SHOTS / "console-receive-po-phone.png"), full_page=True)
        page.click("#book")
        expect(page.locator("#done")).to_be_visible()
        expect(page.locator("#status")).to_have_attribute("class", "chip")
        assert _stock(server, first) == (before[0] + 3, Decimal("3"))

        _scan(page, gtin1, 2)  # the last one and one more than ordered
        _scan(page, gtin2, 2)
        page.click("#book")
        expect(page.locator("#e-reason_1")).to_be_visible()  # an over-delivery needs a reason
        page.fill("#f-reason_1", "one extra, kept")
        page.click("#book")
        expect(page.locator("#done")).to_be_visible()
        expect(page.locator("#scan-box")).to_have_count(0)  # received: nothing left to count
        browser.close()

    assert _stock(server, first)[0] == before[0] + 5
    assert _stock(server, second)[0] == before[1] + 2
    with server.sessions() as s:
        assert orders.get(s, number).status == "received"
