"""Inventory, reports, users, audit and notices in Chromium (Playwright, Debian's chromium):
a receiving, a stocktake with a variance reason, a transfer, the movement history and the
shelf-vs-system reconciliation, by keyboard-reachable forms; screenshots in docs/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cloud.inventory import service as inventory
from cloud.inventory.models import Movement
from cloud.products.models import Product, ProductBarcode
from cloud.stores.models import Store
from contracts.messages import StockData
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        yield srv


@pytest.fixture
def page(server: ConsoleServer) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        yield pg
        browser.close()


def _product_on_a_lane(server: ConsoleServer) -> str:
    """The first catalog product, put on shelf-1 lane a1 as 'low' (so it needs action)."""
    with server.sessions() as s, s.begin():
        product = s.scalars(select(Product).order_by(Product.sku).limit(1)).one()
        gtin = s.scalars(
            select(ProductBarcode.gtin).where(ProductBarcode.product_id == product.id)
        ).first()
        store = s.scalars(select(Store).where(Store.code == "demo")).one()
        inventory.apply_stock(
            s,
            store_id=store.id,
            node="shelf-1",
            data=StockData(lane="a1", sku=product.sku, gtin=gtin or "00000000000000", count=2,
                           grams=Decimal(800), state="low"),
            now=datetime.now(UTC),
        )  # fmt: skip
        return product.sku


def login(page: Any, server: ConsoleServer, username: str) -> None:
    page.goto(server.url + "/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")


def test_inventory_receiving_stocktake_transfer_history_reconciliation(
    page: Any, server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    sku = _product_on_a_lane(server)
    login(page, server, "manager")
    page.click("nav.main >> text=Inventory")
    expect(page).to_have_url(server.url + "/console/s/demo/inventory")

    page.click("#tab-receive")  # receiving, with a field error first
    page.fill("#f-sku", sku)
    page.fill("#f-qty", "ten")
    page.click("#save")
    expect(page.locator("#e-qty")).to_be_visible()
    page.fill("#f-qty", "20")
    page.fill("#f-unit_cost", "3.50")
    page.fill("#f-reference", "PO-2026-001")
    page.keyboard.press("Enter")
    expect(page.locator("#done")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-inventory-receive.png"))

    page.click("#tab-stocktake")  # stocktake (盘点): a variance needs its reason
    page.fill("#q", sku)
    page.click("#build-sheet")
    expect(page.locator("input[name=sku_0]")).to_have_value(sku)
    page.fill("#f-counted_0", "17")
    page.click("#save")
    expect(page.locator("#e-reason_0")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-inventory-stocktake.png"))
    page.select_option("#f-reason_0", "damaged")
    page.click("#save")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("tr.move.stocktake").first).to_contain_text("-3")

    page.click("#tab-transfer")  # transfer (调拨) to another store
    page.select_option("#f-to_store", "north")
    page.fill("#f-sku", sku)
    page.fill("#f-qty", "5")
    page.fill("#f-reference", "T-7")
    page.click("#save")
    expect(page.locator("#done")).to_be_visible()

    page.click("#tab-movements")  # the history, filtered by kind
    expect(page.locator("tr.move")).to_have_count(3)  # receiving, stocktake, transfer out
    page.select_option("#f-kind", "transfer_out")
    page.click("#filter")
    expect(page.locator("tr.move")).to_have_count(1)
    expect(page.locator("tr.move.transfer_out")).to_contain_text("T-7")
    page.screenshot(path=str(SHOTS / "console-inventory-movements.png"))

    page.click("#tab-reconcile")  # 12 on hand, 2 on a low lane: replenish from the backroom
    row = page.locator(f'tr[data-sku="{sku}"]')
    expect(row).to_contain_text("12")
    expect(row.locator(".action")).to_have_text("Replenish from backroom")
    expect(page.locator("#rule")).to_contain_text("backroom")
    page.screenshot(path=str(SHOTS / "console-inventory-reconcile.png"))

    page.click("#tab-stock")
    expect(page.locator(f'#stock tr[data-sku="{sku}"] .onhand')).to_have_text("12")
    page.screenshot(path=str(SHOTS / "console-inventory-stock.png"))
    with server.sessions() as s:
        kinds = sorted(m.kind for m in s.scalars(select(Movement)))
    assert kinds == ["receiving", "stocktake", "transfer_in", "transfer_out"]


def test_reports_users_audit_notices_pages(page: Any, server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, server, "admin")
    page.click("nav.main >> text=Notices")
    page.select_option("#f-store", "demo")
    page.fill("#f-title", "Stocktake on Sunday 20:00")
    page.fill("#f-body", "Close lanes A1–A4 at 19:45.")
    page.select_option("#f-level", "important")
    page.click("#send-notice")
    expect(page.locator("#sent")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-notices.png"))
    page.goto(server.url + "/console/s/demo")
    expect(page.locator("#store-notices")).to_contain_text("Stocktake on Sunday 20:00")

    page.click("nav.main >> text=Reports")
    page.select_option("#f-report", "sales-by-category")
    page.click("#show")
    expect(page.locator("#chart svg")).to_have_count(1)
    expect(page.locator("#csv-link")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-reports.png"))

    page.click("nav.main >> text=Users")
    expect(page.locator('tr[data-user="staff"]')).to_be_visible()
    page.click("#new-user")
    page.fill("#f-username", "clerk2")
    page.fill("#f-password", "clerk2-password")
    page.select_option("#f-role", "staff")
    page.click("#save")
    expect(page.locator("#e-stores")).to_be_visible()  # staff need a store
    page.fill("#f-password", "clerk2-password")
    page.check("input[name=stores][value=demo]")
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#user-title")).to_have_text("clerk2")
    page.screenshot(path=str(SHOTS / "console-user.png"))

    page.click("nav.main >> text=Audit log")
    page.fill("#f-entity", "user")
    page.click("#filter")
    expect(page.locator("#audit tbody tr").first).to_contain_text("clerk2")
    page.screenshot(path=str(SHOTS / "console-audit.png"))
