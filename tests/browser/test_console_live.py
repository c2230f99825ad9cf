"""The dashboard, the shelf map and the staff view in Chromium at a desk (1280×800) and on a
phone (375×812), against a real console fed by a private Mosquitto and a running ingest
worker: a shelf event published to the broker reaches the open pages without a reload."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from cloud.ingest.runner import build_worker
from cloud.inventory.models import LaneState
from contracts.codec import encode, make_envelope
from contracts.topics import event_topic
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.console_pages import add_activity
from tests.support.screenshots import SHOTS
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.browser, pytest.mark.mosquitto]
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
Publish = Callable[[str, str, int], None]


@pytest.fixture
def server(tmp_path: Path, mosquitto_broker: MosquittoProcess) -> Iterator[ConsoleServer]:
    with console_server(tmp_path, mqtt_url=mosquitto_broker.url) as srv:
        with srv.sessions() as s, s.begin():
            add_activity(s, datetime.now(UTC))
        worker = build_worker(srv.settings, srv.sessions, batch_size=16)
        worker.start()
        assert worker.wait_connected(10)
        try:
            yield srv
        finally:
            worker.stop()


@pytest.fixture
def shelf(mosquitto_broker: MosquittoProcess, server: ConsoleServer) -> Iterator[Publish]:
    """Publishes shelf-1's ``stock`` events (lane, state, count) with rising seq, QoS 1."""
    with server.sessions() as s:
        lanes = {r.lane: r for r in s.scalars(select(LaneState))}
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    seq = iter(range(1000, 2000))

    def publish(lane: str, state: str, count: int) -> None:
        row = lanes[lane]
        data = {"lane": lane, "sku": row.sku, "gtin": row.gtin, "count": count,
                "grams": str(count * 250), "state": state}  # fmt: skip
        env = make_envelope(store="demo", node="shelf-1", boot=1, seq=next(seq),
                            event_type="stock", ts=datetime.now(UTC), data=data)  # fmt: skip
        topic = event_topic("demo", "shelf-1", "stock")
        client.publish(topic, encode(env), qos=1).wait_for_publish(5)

    yield publish
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield b
        b.close()


def open_as(browser: Any, server: ConsoleServer, user: str, size: dict[str, int]) -> Any:
    phone = size["width"] < 600
    ctx = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    ctx.add_init_script(
        "window.__vibrations = [];"
        "navigator.vibrate = function (p) { window.__vibrations.push(p); return true; };"
    )
    page = ctx.new_page()
    page.goto(server.url + "/console/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url("**/console/**")
    return page


def no_sideways_scroll(page: Any, size: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], f"horizontal scrolling: {width}px at {size['width']}px"


def wait_live(page: Any, selector: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_attribute("data-live-state", "open", timeout=10_000)


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_dashboard_updates_live(
    browser: Any, server: ConsoleServer, shelf: Publish, size: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_as(browser, server, "manager", size)
    page.goto(server.url + "/console/s/demo")
    # today and last week; in the store's first local hour today is one dot, no line yet
    first_hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour == 0
    expect(page.locator("#hourly-chart polyline")).to_have_count(1 if first_hour else 2)
    expect(page.locator("#top-sellers tbody tr").first).to_contain_text("Item")
    expect(page.locator("#sales-today .big")).to_contain_text("¥")
    kinds = page.locator("#alerts-by-kind tbody tr")
    expect(page.locator('#alerts-by-kind tr[data-type="device_fault"]')).to_be_visible()
    expect(page.locator("#device-list tbody tr")).to_have_count(3)
    before = kinds.count()
    wait_live(page, "#stats")
    shelf("a1", "out", 0)  # a lane runs empty: broker → ingest → the dashboard, no reload
    expect(page.locator('#alerts-by-kind tr[data-type="out_of_stock"]')).to_contain_text(
        "2", timeout=10_000
    )
    assert kinds.count() == before
    no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"console-dashboard-{size['width']}.png"), full_page=True)
    page.click("text=简体中文")  # the same dashboard in Chinese
    expect(page.locator("#sales-today")).to_contain_text("今日销售额")
    page.screenshot(path=str(SHOTS / f"console-dashboard-zh-{size['width']}.png"), full_page=True)


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_shelf_map_updates_live_and_opens_a_lane(
    browser: Any, server: ConsoleServer, shelf: Publish, size: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_as(browser, server, "staff", size)
    page.goto(server.url + "/console/s/demo/shelves")
    lane = page.locator("#lane-shelf-1-a2")
    expect(lane).to_have_attribute("data-state", "low")
    expect(page.locator("#lane-shelf-1-a3")).to_have_attribute("data-state", "out")
    wait_live(page, "#shelves")
    shelf("a2", "ok", 9)  # restocked on the shelf: the tile follows by itself
    expect(lane).to_have_attribute("data-state", "ok", timeout=10_000)
    expect(lane).to_have_attribute("data-count", "9")
    no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"console-shelves-{size['width']}.png"), full_page=True)
    lane.locator("a").click()
    expect(page.locator("#lane-panel")).to_be_visible()
    expect(page.locator("#lane-chart circle")).to_have_count(2)  # two readings of a2
    expect(page.locator("#lane-events tbody tr")).to_have_count(2)
    page.locator("#lane-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"console-shelf-lane-{size['width']}.png"), full_page=True)


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_staff_view_buzzes_on_a_new_out_of_stock(
    browser: Any, server: ConsoleServer, shelf: Publish, size: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_as(browser, server, "staff", size)
    expect(page).to_have_url(server.url + "/console/s/demo/alerts")
    assert page.locator('link[rel="manifest"]').count() == 1
    manifest = page.request.get(server.url + "/console/static/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/console/alerts"
    offline = page.request.get(server.url + "/console/offline")
    assert offline.ok
    assert 'id="offline"' in offline.text()
    sw = page.request.get(server.url + "/console/sw.js")
    assert sw.ok
    assert "caches.match" in sw.text()
    expect(page.locator("#push-off")).to_be_visible()  # off shift: no buzz on this phone
    page.goto(server.url + "/console/s/demo/attendance")
    page.locator("#clock-in").click()
    expect(page.locator("#clocked-in")).to_be_visible()
    page.goto(server.url + "/console/s/demo/alerts")
    expect(page.locator("#alerts")).to_have_attribute("data-push", "on")
    wait_live(page, "#alerts")
    shelf("a4", "out", 0)
    card = page.locator('li.alert[data-type="out_of_stock"]', has_text="shelf-1/a4")
    expect(card).to_be_visible(timeout=10_000)  # pushed over SSE, no reload
    new_id = card.get_attribute("id")
    expect(page.locator("body")).to_have_attribute("data-new-out-of-stock", str(new_id))
    assert page.evaluate("window.__vibrations") == [[200, 100, 200]]
    for button in page.locator("li.alert button").all():
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44, box  # a thumb's target
    no_sideways_scroll(page, size)
    page.screenshot(path=str(SHOTS / f"console-staff-{size['width']}.png"), full_page=True)
