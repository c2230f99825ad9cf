"""``/docs`` in Chromium: Swagger UI renders the API from assets of this server only, under
the strict Content-Security-Policy (no CDN, no inline script, no violation reported)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.web.server import ARGS, ConsoleServer, console_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        yield srv


def test_swagger_ui_renders_from_local_assets_under_the_csp(server: ConsoleServer) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    messages: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page: Any = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: messages.append(m.text))
        response = page.goto(server.url + "/docs")
        assert response.status == 200
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        title = page.locator(".swagger-ui .info .title")
        title.wait_for(timeout=30_000)
        assert "smartstore cloud API" in title.inner_text()
        operation = page.locator('[data-path="/api/v1/auth/me"]').first
        operation.wait_for(timeout=10_000)
        operation.click()  # expanded: parameters, responses and their highlighted examples
        page.locator(".opblock-body .responses-table").first.wait_for(timeout=10_000)
        browser.close()
    assert requests
    assert all(url.startswith(server.url) for url in requests), requests
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m]
