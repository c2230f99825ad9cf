"""Store prices and coupon limits in Chromium: the manager of `demo` sees the catalogue read-only
and sets his store's price; head office sets the coupon limits the manager then reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cloud.auth.models import Role
from cloud.auth.service import create_user, make_hasher
from cloud.db.session import transaction
from cloud.pricebook.builder import build_pricebook
from cloud.products.models import Product
from cloud.stores.models import Store
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        with transaction(srv.sessions) as s:
            create_user(
                s,
                username="headoffice",
                password=PASSWORD,
                role=Role.HQ,
                store_codes=[],
                now=datetime.now(UTC),
                hasher=make_hasher(fast=True),
            )
        yield srv


@pytest.fixture
def page(server: ConsoleServer) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        yield pg
        browser.close()


def _login(page: Any, server: ConsoleServer, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url + "/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url("**/console/**")


def _book_price(server: ConsoleServer, store: str, sku: str) -> Decimal:
    with server.sessions() as s:
        row = s.scalars(select(Store).where(Store.code == store)).one()
        book = build_pricebook(s, row, 1, datetime.now(UTC))
    return next(p.price for p in book.products if p.sku == sku)


def test_manager_sets_his_store_price_head_office_sets_coupon_limits(
    page: Any, server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    with server.sessions() as s:
        sku = s.scalars(select(Product.sku).order_by(Product.sku)).first()
    assert sku is not None
    chain = _book_price(server, "north", sku)

    _login(page, server, "manager")
    page.goto(server.url + f"/console/products/{sku}")
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("#save")).to_have_count(0)
    page.click("nav.main >> text=Store prices")
    expect(page).to_have_url(server.url + "/console/s/demo/prices")
    page.fill("#f-sku", sku)
    page.fill("#f-price", "0.5")
    page.fill("#f-member_price", "0.9")  # above the price: refused next to the field
    page.click("#set-price")
    expect(page.locator("#e-member_price")).to_be_visible()
    page.fill("#f-member_price", "")
    page.click("#set-price")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#store-prices tbody tr")).to_have_count(1)
    expect(page.locator("#store-prices")).to_contain_text("0.50")
    page.screenshot(path=str(SHOTS / "console-store-prices.png"))
    assert _book_price(server, "demo", sku) == Decimal("0.50")
    assert _book_price(server, "north", sku) == chain  # another store keeps the chain's

    _login(page, server, "headoffice")
    expect(page).to_have_url(server.url + "/console/products")
    page.click("nav.main >> text=Coupon limits")
    page.fill("#f-max_amount_off", "8.00")
    page.fill("#f-max_valid_days", "14")
    page.click("#save-limits")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#limits-source")).to_contain_text("headoffice")
    page.screenshot(path=str(SHOTS / "console-coupon-limits.png"))

    _login(page, server, "manager")
    page.goto(server.url + "/console/coupon-limits")
    expect(page.locator("#limit-max_amount_off")).to_have_text("8.00")
    expect(page.locator("#limits-form")).to_have_count(0)
