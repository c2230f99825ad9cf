"""The member console in Chromium: look a member up, see segment and recommendations, issue a
coupon, process a return of two lines. Sales arrive through the real ingest pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.products.models import Product, ProductBarcode
from cloud.web.formats import money
from tests.cloud.factories import envelope, message
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser
PHONE = "13800000001"


def _sales(server: ConsoleServer) -> None:
    with server.sessions() as s:
        catalog = s.execute(
            select(ProductBarcode.gtin, Product.name, Product.price)
            .join(Product, Product.id == ProductBarcode.product_id)
            .order_by(Product.id)
            .limit(6)
        ).all()
    now = datetime.now(UTC) - timedelta(hours=2)
    baskets = [[0, 1, 2, 3, 4], [0, 1, 5], [0, 2], [1, 3, 5]]
    pipe = Pipeline(server.sessions)
    for n, basket in enumerate(baskets, start=1):
        lines = [
            {
                "gtin": catalog[i][0],
                "name": catalog[i][1],
                "qty": "1",
                "unit_price": str(catalog[i][2]),
                "amount": str(catalog[i][2]),
            }
            for i in basket
        ]
        total = sum(Decimal(ln["amount"]) for ln in lines)
        data = {
            "sale_id": f"WEB-{n}",
            "completed_at": (now + timedelta(minutes=n)).isoformat(),
            "currency": "CNY",
            "member": {"phone": PHONE} if n != 4 else None,
            "lines": lines,
            "subtotal": str(total),
            "discount_total": "0.00",
            "tax_total": "0.00",
            "total": str(total),
            "tenders": [{"method": "card", "amount": str(total)}],
            "change": "0.00",
        }
        topic, raw = message(envelope("sale", data, seq=n, ts=now))
        pipe.process([Inbound(topic, raw)])
    assert pipe.applied == len(baskets)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        _sales(srv)
        yield srv


@pytest.fixture
def page(server: ConsoleServer) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        yield pg
        browser.close()


def test_lookup_profile_coupon_and_return(page: Any, server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server.url + "/console/login")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url("**/console/**")

    page.goto(server.url + "/console/crm")
    page.fill("#q", PHONE)
    page.click("#lookup")
    expect(page.locator("#members tbody tr")).to_have_count(1)
    expect(page.locator("#segments [data-segment=champions]")).to_contain_text("Champions")
    page.click("a.member")
    expect(page.locator("#member-name")).to_have_text("Member 1")
    expect(page.locator("#segment")).not_to_be_empty()
    expect(page.locator("#recommendations li")).to_have_count(5)
    page.fill("#c-value", "8.00")
    page.click("#issue")
    expect(page.locator("#issued")).to_contain_text("CP")
    expect(page.locator("#coupons tbody tr")).to_have_count(1)
    expect(page.locator("#coupons")).to_contain_text("8.00")
    page.screenshot(path=str(SHOTS / "console-member.png"))

    page.goto(server.url + "/console/crm/returns")
    page.fill("#sale", "https://r.smartstore.invalid/WEB-1")  # as scanned from the receipt QR
    page.click("#find-sale")
    expect(page.locator("#sale-lines tbody tr")).to_have_count(5)
    page.fill("#qty-2", "1")
    page.fill("#qty-4", "1")
    page.fill("#reason", "faulty")
    page.click("#do-return")
    expect(page.locator("#return-done")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-return.png"))
    refunded = page.locator("#refund-total").inner_text()

    page.goto(server.url + "/console/crm/returns?sale=WEB-1")
    expect(page.locator("#qty-2")).to_be_disabled()  # nothing left of line 2 to return
    with server.sessions() as s:
        from cloud.returns.models import Return

        ret = s.scalars(select(Return)).one()
        assert money(ret.refund_total) == refunded
