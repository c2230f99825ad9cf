"""Acceptance (issue 8): ``smartstore demo`` as a newcomer runs it, seen in the console.

The demo runs as a subprocess (free ports, a temp data directory, 240× speed); Chromium logs
in to the console as the manager with the password the demo printed, and within 2 minutes
of the start sees sales on the dashboard and stock alerts in the alerts view. SIGINT then
stops the demo cleanly. Screenshot: docs/screenshots/demo-dashboard.png.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.web.server import ARGS
from tests.integration.test_demo import DemoProcess
from tests.support.screenshots import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]
SALES = re.compile(r"(\d+) sales today")


def sales_on_dashboard(page: Any) -> int:
    found = SALES.search(page.locator("#sales-today").inner_text())
    return int(found.group(1)) if found else 0


def poll_page(page: Any, url: str, check: Any, deadline: float) -> Any:
    """Reload ``url`` until ``check(page)`` is truthy or the deadline passes."""
    while True:
        page.goto(url)
        value = check(page)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(3000)


def test_demo_console_shows_sales_and_alerts_within_two_minutes(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    demo = DemoProcess(tmp_path / "demo", "--speed", "240")
    started = time.monotonic()
    try:
        demo.wait_output(r"smartstore demo ready", 60)
        password = demo.wait_output(r"password: (\S+)", 5).group(1)
        console = demo.wait_output(r"console\s+(http://\S+)", 5).group(1).rstrip("/")
        assert console == f"http://127.0.0.1:{demo.port}"
        deadline = started + 120
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(console + "/console/login")
            page.fill("#username", "manager")
            page.fill("#password", password)
            page.click("#login")
            page.wait_for_url(re.compile(r".*/console/(?!login).*"))

            dashboard = console + "/console/s/demo"
            assert poll_page(page, dashboard, sales_on_dashboard, deadline) > 0, demo.output

            def stock_alerts(pg: Any) -> int:
                items = pg.locator("li.alert")
                texts = [items.nth(i).inner_text() for i in range(items.count())]
                return sum(1 for t in texts if "Low stock" in t or "Out of stock" in t)

            alerts_url = console + "/console/s/demo/alerts?show=all"
            assert poll_page(page, alerts_url, stock_alerts, deadline) > 0, demo.output
            assert time.monotonic() - started < 120
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "demo-alerts.png"), full_page=True)
            page.goto(dashboard)
            assert sales_on_dashboard(page) > 0
            page.screenshot(path=str(SHOTS / "demo-dashboard.png"), full_page=True)
            browser.close()
        assert demo.interrupt() == 0
    finally:
        demo.kill()
    assert "Traceback" not in demo.output, demo.output
    assert "demo stopped" in demo.output
