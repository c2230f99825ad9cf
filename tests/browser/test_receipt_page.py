"""The e-receipt page in Chromium (Playwright, sync API): the link the kiosk prints as the
receipt QR opens the sale in the store's local time, in the shopper's language, with the
tenders by provider; an altered token, another store's key or an unknown sale is 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cloud.sales.service import SaleRecord, record_sales
from cloud.stores.models import Store
from contracts.messages import SaleData
from contracts.receipts import store_key
from kiosk.config import ReceiptsConfig
from tests.cloud.web.server import ARGS, ConsoleServer, console_server
from tests.support.screenshots import SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        yield srv


def sale(sale_id: str) -> SaleData:
    return SaleData.model_validate(
        {
            "sale_id": sale_id,
            "completed_at": datetime(2026, 12, 4, 16, 30, tzinfo=UTC),  # 00:30 in Shanghai
            "currency": "CNY",
            "lines": [
                {
                    "gtin": "06901234567892",
                    "name": "Oolong tea 乌龙茶",
                    "qty": "2",
                    "unit_price": "6.00",
                    "amount": "12.00",
                    "discounts": [{"promotion": "Tea week", "amount": "2.00"}],
                },
                {
                    "gtin": "04006381333931",
                    "name": "<b>Bread</b>",
                    "qty": "1",
                    "unit_price": "8.50",
                    "amount": "8.50",
                },
            ],
            "subtotal": "20.50",
            "discount_total": "2.00",
            "tax_total": "2.13",
            "total": "18.50",
            "tenders": [
                {"method": "cash", "amount": "5.00", "provider": "cash"},
                {"method": "mobile", "amount": "13.50", "reference": "R1", "provider": "wechatpay"},
            ],
            "change": "0.00",
        }
    )


def kiosk_link(server: ConsoleServer, tmp: Path, store: str) -> Any:
    """The link function a kiosk of ``store`` prints with, given the key the cloud's
    ``receipt-key`` command prints for it."""
    master = server.settings.secret_key.get_secret_value().encode()
    key_file = tmp / f"{store}.key"
    key_file.write_text(store_key(master, store).hex())
    cfg = ReceiptsConfig.model_validate({"public_url": server.url, "key": {"file": str(key_file)}})
    return cfg.link(store)


def test_receipt_link_opens_the_sale_and_altered_tokens_are_404(
    server: ConsoleServer, tmp_path: Path
) -> None:
    with server.sessions() as s, s.begin():
        demo = s.scalars(select(Store).where(Store.code == "demo")).one()
        record_sales(s, [SaleRecord(demo.id, "kiosk-1", "E1", sale("S-0001"))], datetime.now(UTC))
    link = kiosk_link(server, tmp_path, "demo")("S-0001")
    assert link.startswith(server.url + "/r/")

    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 420, "height": 900}, locale="zh-CN")
        response = page.goto(link)
        assert response is not None
        assert response.status == 200
        expect(page.locator("#time")).to_have_text("2026-12-05 00:30")  # store time
        expect(page.locator("#total")).to_have_text("¥18.50")  # the sale currency's sign
        expect(page.locator("#lines tr.line")).to_have_count(2)
        expect(page.locator("#lines")).to_contain_text("Tea week")
        expect(page.locator("#lines")).to_contain_text("<b>Bread</b>")  # text, not markup
        expect(page.locator("#tenders")).to_contain_text("微信支付")
        expect(page.locator("#print")).to_have_text("打印")
        page.screenshot(path=str(SHOTS / "e-receipt.png"), full_page=True)
        english = browser.new_page(locale="en-GB")
        english.goto(link)
        expect(english.locator("#tenders")).to_contain_text("WeChat Pay")
        token = link.rsplit("/", 1)[1]
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        bad = page.goto(f"{server.url}/r/{altered}")
        assert bad is not None
        assert bad.status == 404
        browser.close()

    other = kiosk_link(server, tmp_path, "north")("S-0001")  # north's key, demo's sale
    forged = kiosk_link(server, tmp_path, "north")("S-0001").replace(
        other.rsplit("/", 1)[1].split(".")[0], link.rsplit("/", 1)[1].split(".")[0]
    )
    unknown = kiosk_link(server, tmp_path, "demo")("S-NEVER")
    for url in (other, forged, unknown, server.url + "/r/junk", server.url + "/r/a.b"):
        assert httpx.get(url, timeout=10).status_code == 404, url
