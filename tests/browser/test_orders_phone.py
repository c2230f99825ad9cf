"""An online order end to end in Chromium (Playwright, Debian's browser): placed through the
API, it appears on the order board by itself; staff pick it on the phone page at 375 px by
typing each item's barcode; the shopper collects it at the kiosk's screen with the pickup
code, and the kiosk prints the receipt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from cloud.db.session import transaction
from cloud.inventory import service as inventory
from cloud.orders import service as orders
from cloud.products import service as products
from cloud.stores.models import Store
from kiosk.shell.devices import Devices
from tests.cloud.web.server import ARGS, PASSWORD
from tests.kiosk.fakes import RecordingPrinter
from tests.kiosk.members_stack import Kiosk, Stack, cloud_stack, node_config
from tests.kiosk.node import wait_for
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with cloud_stack(tmp_path / "cloud") as s:
        yield s


def _stock(stack: Stack, sku: str) -> None:
    with transaction(stack.sessions()) as s:
        store = s.scalars(select(Store).where(Store.code == "demo")).one()
        product = products.get_product(s, sku)
        inventory.move(s, store_id=store.id, product_id=product.id, kind="receiving",
                       qty=Decimal(5), now=datetime.now(UTC))  # fmt: skip


def _place(stack: Stack, sku: str) -> dict[str, str]:
    with httpx.Client(base_url=f"{stack.cloud.url}/api/v1", timeout=15) as http:
        form = {"username": "manager", "password": PASSWORD}
        token = http.post("/auth/token", data=form).json()["access_token"]
        body = {
            "store": "demo",
            "channel": "miniprogram",
            "fulfilment": "pickup",
            "customer": {"name": "Li Na", "phone": "13800000001"},
            "lines": [{"sku": sku, "qty": "2"}],
        }
        res = http.post("/orders", json=body, headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 201, res.text
        out: dict[str, str] = res.json()
        return out


def _no_sideways_scroll(page: object) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= PHONE["width"], f"horizontal scrolling on a phone: {width}px"


def test_order_board_phone_pick_and_kiosk_collection(tmp_path: Path, stack: Stack) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    item = stack.products[0]
    _stock(stack, item.sku)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(stack.cloud.url + "/console/login")
        phone.fill("#username", "staff")
        phone.fill("#password", PASSWORD)
        phone.click("#login")
        phone.goto(stack.cloud.url + "/console/s/demo/orders")
        expect(phone.locator("#col-new")).to_be_visible()

        order = _place(stack, item.sku)  # the board is open already: no reload from here on
        card = phone.locator(f"#col-new #order-{order['order_id']}")
        expect(card).to_be_visible(timeout=10_000)
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "console-orders-board-phone.png"))

        card.locator("a").click()
        phone.click("#do-pick")
        expect(phone.locator("#picker")).to_have_text("staff")
        for _ in range(2):  # "scanning" = typing the barcode, as a scanner keyboard would
            phone.fill("#scan-code", item.gtins[0])
            phone.click("#do-scan")
            expect(phone.locator("#pick-note")).to_be_visible()
        expect(phone.locator(f'li[data-sku="{item.sku}"] .picked')).to_have_text("2")
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "console-orders-pick-phone.png"))
        phone.click("#do-ready")
        expect(phone.locator("#pick")).to_have_attribute("data-status", "ready")

        printer = RecordingPrinter()
        config = node_config(tmp_path, stack)
        kiosk = Kiosk(config, Devices.from_config(config, printer=printer))
        try:
            assert kiosk.node.ui is not None
            screen = browser.new_page(viewport={"width": 1280, "height": 800})
            screen.goto(kiosk.node.ui.url)
            expect(screen.locator("#conn")).to_have_attribute("data-state", "online")
            screen.click("#pickup-btn")
            screen.fill("#prompt-input", order["pickup_code"])
            screen.click("#prompt-ok")
            expect(screen.locator("#toast")).to_contain_text("Order collected")
            wait_for(lambda: printer.printed, what="the order's receipt")
            screen.screenshot(path=str(SHOTS / "kiosk-order-collected.png"))
        finally:
            kiosk.close()
        browser.close()

    assert printer.printed == [(f"order-{order['order_id']}", False)]
    with stack.sessions()() as s:
        assert orders.get(s, order["order_id"]).status == "collected"
