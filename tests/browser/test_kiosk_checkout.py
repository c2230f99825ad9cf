"""A whole checkout on the kiosk page in Chromium (Playwright, sync API), with screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.runtime import Runtime
from kiosk.payment.simulator import PaymentSimulator
from kiosk.service import KioskNode, build_node
from smartstore.broker import free_port
from tests.kiosk.books import BEER, MILK
from tests.kiosk.node import PIN, kiosk_config
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
        f"mqtt://127.0.0.1:{free_port()}",  # the cloud is unreachable throughout
        scale={"type": "fake", "noise_g": 0.3, "sample_s": 0.01, "auto_bag": True},
    )
    kiosk = build_node(cfg)
    runtime = Runtime(kiosk.services)
    runtime.start_all()
    try:
        yield kiosk
    finally:
        runtime.stop_all()


@pytest.fixture
def page(node: KioskNode) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        pg.goto(node.ui.url)
        yield pg
        browser.close()


def test_whole_checkout_with_age_intervention(page, node: KioskNode) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator("#welcome")).to_be_visible()
    page.screenshot(path=str(SHOTS / "kiosk-welcome.png"))

    page.fill("#code", MILK)
    page.click("#enter")
    expect(page.locator(".line")).to_have_count(1)
    expect(page.locator(".line.unbagged")).to_have_count(0, timeout=10_000)  # bagged

    page.fill("#code", "bread")  # name search → tap the result
    page.click("#enter")
    page.click(".result")
    expect(page.locator(".line")).to_have_count(2)
    page.locator(".line").nth(1).locator(".plus").click()
    expect(page.locator(".line").nth(1).locator(".qty")).to_have_text("× 2")
    expect(page.locator(".line.unbagged")).to_have_count(0, timeout=10_000)

    page.fill("#code", BEER)
    page.click("#enter")
    overlay = page.locator("#intervention")
    expect(overlay).to_be_visible()
    expect(page.locator("#reasons li")).to_have_attribute("data-kind", "age_restricted")
    page.screenshot(path=str(SHOTS / "kiosk-intervention.png"))
    for digit in "9999":
        page.click(f"#keypad >> text='{digit}'")
    page.click("#approve")
    expect(page.locator("#toast")).to_be_visible()  # wrong PIN
    expect(overlay).to_be_visible()
    for digit in PIN:
        page.click(f"#keypad >> text='{digit}'")
    page.click("#approve")
    expect(overlay).to_be_hidden()
    expect(page.locator(".line.unbagged")).to_have_count(0, timeout=10_000)
    page.screenshot(path=str(SHOTS / "kiosk-cart.png"))

    expect(page.locator("#t-total")).to_have_text("¥38.50")
    page.click("#pay")
    expect(page.locator("#paying")).to_be_visible()
    adapter = node.devices.payment.adapter
    assert isinstance(adapter, PaymentSimulator)
    adapter.push("decline")
    page.click("#pay-card")
    expect(page.locator("#pay-status")).to_have_attribute("data-status", "declined")
    page.screenshot(path=str(SHOTS / "kiosk-payment.png"))
    page.click("#pay-cash")
    page.click("#notes button[data-value='50']")
    expect(page.locator("#receipt")).to_be_visible()
    expect(page.locator("#r-change")).to_have_text("¥11.50")
    page.screenshot(path=str(SHOTS / "kiosk-receipt.png"))
    page.click("#done")
    expect(page.locator("#welcome")).to_be_visible()


def test_chinese_screen_and_qr_payment(page, node: KioskNode) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.click("#lang-zh")
    expect(page.locator("#welcome h1")).to_have_text("欢迎光临")
    page.fill("#code", "101")  # PLU of the milk
    page.click("#enter")
    expect(page.locator(".line .name")).to_contain_text("牛奶")
    expect(page.locator(".line.unbagged")).to_have_count(0, timeout=10_000)
    page.click("#pay")
    page.click("#pay-qr")
    expect(page.locator("#qr-box")).to_be_visible()
    expect(page.locator("#qr-img")).to_have_attribute(
        "src", lambda_src := page.locator("#qr-img").get_attribute("src") or ""
    )
    page.screenshot(path=str(SHOTS / "kiosk-qr-zh.png"))
    page.click("#qr-paid")
    expect(page.locator("#receipt")).to_be_visible(timeout=10_000)
    expect(page.locator("#receipt h2")).to_have_text("谢谢惠顾！")
    assert "qr.svg" in lambda_src
