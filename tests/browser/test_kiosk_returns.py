"""The attendant return screen of the kiosk page in Chromium (Playwright, sync API)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from edge.runtime import Runtime
from kiosk.service import KioskNode, build_node
from smartstore.broker import free_port
from tests.kiosk.books import BAG, BREAD, MILK
from tests.kiosk.node import PIN, kiosk_config, wait_for
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[KioskNode]:
    cfg = kiosk_config(
        tmp_path,
        f"mqtt://127.0.0.1:{free_port()}",  # offline: returns work from the kiosk's own sales
        scale={"type": "fake", "noise_g": 0.3, "sample_s": 0.01, "auto_bag": True},
    )
    kiosk = build_node(cfg)
    runtime = Runtime(kiosk.services)
    runtime.start_all()
    try:
        yield kiosk
    finally:
        runtime.stop_all()


def _sale(url: str) -> str:
    with httpx.Client(base_url=url, timeout=10) as http:
        for code in (MILK, BREAD, BREAD, BAG):
            assert http.post("/api/scan", json={"code": code}).status_code == 200
            wait_for(
                lambda: (
                    not any(ln["needs_bagging"] for ln in http.get("/api/state").json()["lines"])
                ),
                what="bagged",
            )
        http.post("/api/pay", json={"method": "cash"})
        http.post("/api/cash", json={"value": "50"})
        sale = wait_for(lambda: http.get("/api/state").json()["sale"], what="sale")
        http.post("/api/finish")
        http.post("/api/new")
        return str(sale["sale_id"])


def test_attendant_returns_two_lines_on_screen(node: KioskNode) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    assert node.ui is not None
    sale_id = _sale(node.ui.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(node.ui.url)
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        page.click("#return-btn")
        expect(page.locator("#returns")).to_be_visible()
        page.fill("#ret-pin", "9999")
        page.fill("#ret-receipt", sale_id)
        page.click("#ret-open")
        expect(page.locator("#toast")).to_have_text("Wrong PIN")
        page.fill("#ret-pin", PIN)
        page.fill("#ret-receipt", "https://r.smartstore.invalid/" + sale_id)  # the receipt QR
        page.click("#ret-open")
        rows = page.locator("#ret-lines tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(1).locator(".left")).to_have_text("2")
        total = page.locator("#ret-total")
        rows.nth(1).locator("input[type=number]").fill("2")
        rows.nth(1).locator("input[type=number]").dispatch_event("change")
        expect(total).not_to_have_text("0.00")
        two_breads = total.inner_text()
        rows.nth(0).locator("input[type=number]").fill("1")
        rows.nth(0).locator("input[type=number]").dispatch_event("change")
        rows.nth(0).locator("input[type=checkbox]").check()
        page.select_option("#ret-reason", "faulty")
        # each change is quoted by the kiosk in turn: wait for the milk's, not the first one
        expect(total).not_to_have_text(two_breads)
        expect(page.locator("#ret-tenders")).to_contain_text("Cash")
        refund = total.inner_text()
        page.evaluate("document.getElementById('toast').hidden = true")  # the old PIN error
        page.screenshot(path=str(SHOTS / "kiosk-return.png"))
        page.click("#ret-confirm")
        expect(page.locator("#ret-done")).to_contain_text("Refunded " + refund)
        # the same lines again: nothing left to return, said in words
        page.fill("#ret-receipt", sale_id)
        page.click("#ret-open")
        expect(rows.nth(1).locator(".left")).to_have_text("0")
        expect(rows.nth(0).locator(".left")).to_have_text("0")
        browser.close()
    assert node.parts.returns.last is not None
    assert str(node.parts.returns.last.refund_total) == refund
