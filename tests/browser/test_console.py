"""The manager console in Chromium (Playwright, sync API): log in, create a product, import a
CSV with one bad row, create a promotion and see its preview; screenshots in docs/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path, maintenance_notice="Upgrade tonight 22:00–23:00") as srv:
        yield srv


@pytest.fixture
def page(server: ConsoleServer) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 860})
        yield pg
        browser.close()


def login(page: Any, server: ConsoleServer, username: str) -> None:
    page.goto(server.url + "/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")


def create_product(page: Any, server: ConsoleServer) -> None:
    """TEST-1 through the form: a bad price is reported next to its field, and a name
    carrying HTML shows as text on the product page and in the search list."""
    from playwright.sync_api import expect

    page.click("text=Products")
    page.click("#new-product")
    page.fill("#f-sku", "TEST-1")
    page.fill("#f-name", "Oolong tea <b>bold</b>")
    page.fill("#f-price", "abc")
    page.click("#save")
    expect(page.locator("#e-price")).to_be_visible()  # message next to the field
    page.fill("#f-price", "10.00")
    page.fill("#f-gtins", "4006381333931")
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#product-title")).to_have_text("Oolong tea <b>bold</b>")
    expect(page.locator("#product-title b")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "console-product.png"))

    page.goto(server.url + "/console/products")
    page.fill("#q", "Oolong")
    expect(page.locator("#product-rows tr")).to_have_count(1)
    expect(page.locator("#product-rows .pname")).to_contain_text("<b>bold</b>")
    page.screenshot(path=str(SHOTS / "console-products.png"))


def import_products_csv(page: Any, server: ConsoleServer, tmp_path: Path) -> None:
    """CSV import: the dry run reports the one bad row with its line number; the real run
    creates the two good ones."""
    from playwright.sync_api import expect

    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "sku,name,price,gtin,category\n"
        "CSV-1,Green tea 250 g,18.50,,drinks\n"
        "CSV-2,Broken price,abc,,\n"
        "CSV-3,Jasmine tea,22.00,96385074,\n",
        encoding="utf-8",
    )
    page.goto(server.url + "/console/products-import")
    page.set_input_files("#f-file", str(csv_file))
    page.click("#upload")
    expect(page.locator("#summary")).to_contain_text("3 rows, 1 with errors")
    bad = page.locator("tr.bad-row")
    expect(bad).to_have_count(1)
    expect(bad).to_have_attribute("data-line", "3")
    expect(bad).to_contain_text("price is not an amount")
    page.screenshot(path=str(SHOTS / "console-import.png"), full_page=True)
    page.uncheck("#dry_run")
    page.set_input_files("#f-file", str(csv_file))
    page.click("#upload")
    expect(page.locator("tr.good-row")).to_have_count(2)
    expect(page.locator("tr.good-row").first).to_contain_text("create")
    page.goto(server.url + "/console/products?q=CSV-")
    expect(page.locator("#product-rows tr")).to_have_count(2)


def create_promotion(page: Any, server: ConsoleServer) -> None:
    """A 20% promotion on TEST-1 whose preview is priced through contracts.pricing."""
    from playwright.sync_api import expect

    page.goto(server.url + "/console/promotions/new")
    page.fill("#f-code", "TEA20")
    page.fill("#f-name", "20% off oolong")
    page.select_option("#kind", "percent_off")
    page.fill("#f-percent", "20")
    page.fill("#f-skus", "TEST-1")
    page.select_option("#f-store", "demo")
    page.fill("#f-basket", "TEST-1 2")
    page.click("#preview-button")
    expect(page.locator("#preview-total")).to_contain_text("16.00")
    expect(page.locator("#preview-saving")).to_have_text("¥4.00")
    page.screenshot(path=str(SHOTS / "console-promotion-preview.png"), full_page=True)
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    page.goto(server.url + "/console/promotions")
    expect(page.locator("text=TEA20")).to_be_visible()


def test_manager_flow_product_import_promotion(
    page: Any, server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server.url + "/console")
    expect(page).to_have_url(server.url + "/console/login?next=/console")
    expect(page.locator("#maintenance")).to_contain_text("Upgrade tonight")
    expect(page.locator("#version")).to_contain_text("Version")
    expect(page.locator("input[name=remember]")).to_have_count(0)  # no "remember me"
    page.screenshot(path=str(SHOTS / "console-login.png"))

    login(page, server, "admin")
    expect(page).to_have_url(server.url + "/console/head-office")
    expect(page.locator("#stores-today tbody tr")).to_have_count(3)  # demo, north, east
    page.screenshot(path=str(SHOTS / "console-head-office.png"))

    create_product(page, server)
    import_products_csv(page, server, tmp_path)
    create_promotion(page, server)

    page.goto(server.url + "/console/s/demo")
    expect(page.locator("#sales-today")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-dashboard.png"))

    # Simplified Chinese through the switch.
    page.click("text=简体中文")
    expect(page.locator("#open-alerts")).to_contain_text("未关闭告警")
    page.screenshot(path=str(SHOTS / "console-dashboard-zh.png"))
