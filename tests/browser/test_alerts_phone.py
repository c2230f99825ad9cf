"""The staff alert loop on a phone-sized viewport: a real ``stock`` event goes through a
private Mosquitto to a running ingest worker, the alert appears live, staff acknowledge it,
the shelf reports the lane restocked and the alert resolves on its own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from cloud.alerts.models import Alert
from cloud.ingest.runner import build_worker
from contracts.codec import encode, make_envelope
from contracts.topics import event_topic
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.screenshots import SHOTS
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.browser, pytest.mark.mosquitto]


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def server(tmp_path: Path, mosquitto_broker: MosquittoProcess) -> Iterator[ConsoleServer]:
    with console_server(tmp_path, mqtt_url=mosquitto_broker.url) as srv:
        worker = build_worker(srv.settings, srv.sessions, batch_size=16)
        worker.start()
        assert worker.wait_connected(10)
        try:
            yield srv
        finally:
            worker.stop()


@pytest.fixture
def shelf(mosquitto_broker: MosquittoProcess) -> Iterator[Callable[[str, int], None]]:
    """Publishes the shelf node's ``stock`` events with rising seq, QoS 1."""
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    seq = iter(range(1, 1000))

    def publish(state: str, count: int) -> None:
        env = make_envelope(
            store="demo",
            node="shelf-1",
            boot=1,
            seq=next(seq),
            event_type="stock",
            ts=datetime.now(UTC),
            data={
                "lane": "lane-3",
                "sku": "DAI-00002",
                "gtin": "06901001000027",
                "count": count,
                "grams": str(count * 500),
                "state": state,
            },
        )
        topic = event_topic("demo", "shelf-1", "stock")
        client.publish(topic, encode(env), qos=1).wait_for_publish(5)

    yield publish
    client.disconnect()
    client.loop_stop()


def open_alert(server: ConsoleServer) -> Alert | None:
    with server.sessions() as s:
        return s.scalars(select(Alert).where(Alert.source == "shelf-1/lane-3")).first()


def test_staff_acknowledges_and_restock_resolves_it_live(
    server: ConsoleServer, shelf: Callable[[str, int], None]
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        page = ctx.new_page()
        page.goto(server.url + "/console/login")
        page.fill("#username", "staff")
        page.fill("#password", PASSWORD)
        page.click("#login")
        expect(page).to_have_url(server.url + "/console/s/demo/alerts")
        expect(page.locator("#no-alerts")).to_be_visible()
        expect(page.locator("#alerts")).to_have_attribute("data-live-state", "open")

        shelf("out", 0)  # the lane runs empty: broker → ingest → alert
        wait_for(lambda: open_alert(server) is not None)
        alert = open_alert(server)
        assert alert is not None
        card = page.locator(f"#alert-{alert.id}")
        expect(card).to_be_visible(timeout=10_000)  # pushed live over SSE, no reload
        expect(card).to_contain_text("Out of stock")
        expect(card.locator(".status")).to_have_text("new")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"horizontal scrolling on a phone: {width}px"
        page.screenshot(path=str(SHOTS / "console-alerts-phone.png"))

        card.locator("button.ack").click()
        expect(card.locator(".status")).to_have_text("acknowledged")
        expect(card.locator(".tta")).to_contain_text("(staff)")
        page.screenshot(path=str(SHOTS / "console-alerts-phone-acked.png"))

        shelf("ok", 12)  # restocked: the ingest clears the alert, the page follows by itself
        expect(card).to_have_count(0, timeout=10_000)
        expect(page.locator("#no-alerts")).to_be_visible()

        page.goto(server.url + "/console/s/demo/alerts?show=all")
        done = page.locator(f"#alert-{alert.id}")
        expect(done.locator(".status")).to_have_text("resolved")
        expect(done.locator(".ttr")).not_to_have_text("—")
        page.screenshot(path=str(SHOTS / "console-alerts-phone-resolved.png"))
        browser.close()

    resolved = open_alert(server)
    assert resolved is not None
    assert resolved.status == "cleared_ack"
    assert resolved.acknowledged_by == "staff"
    assert resolved.resolved_by is None
    assert resolved.details["time_to_restock_s"] >= 0
