"""Live fan-out per store, device commands over a real Mosquitto, and the i18n catalogs."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service as alerts
from cloud.alerts.live import AlertHub
from cloud.settings import CloudSettings
from cloud.web.commands import MqttSender, build_command, send_command
from cloud.web.exceptions import CommandError
from cloud.web.i18n import Translator, catalog, pick_language
from contracts.messages import Command
from contracts.topics import command_topic
from tests.cloud.api.helpers import store_id
from tests.cloud.web.conftest import Console
from tests.support.services import MosquittoProcess


def test_hub_tells_only_the_changed_store(console: Console) -> None:
    sessions: sessionmaker[Session] = console.sessions
    with sessions() as s:
        a, b = store_id(s, "store-a"), store_id(s, "store-b")

    async def scenario() -> tuple[str, bool]:
        hub = AlertHub(sessions, interval_s=0.05)
        stop = asyncio.Event()
        qa, qb = hub.subscribe(a), hub.subscribe(b)
        task = asyncio.create_task(hub.run(stop))
        await asyncio.sleep(0.2)  # a few polls: no alerts anywhere, nobody is told anything
        assert qa.empty()
        assert qb.empty()

        def write() -> None:  # another process (ingest) opens an alert in store A
            with sessions() as s, s.begin():
                alerts.open_alert(
                    s,
                    store_id=a,
                    source="shelf-1/lane-9",
                    alert_type="low_stock",
                    now=datetime.now(UTC),
                )

        await asyncio.to_thread(write)
        got = await asyncio.wait_for(qa.get(), 5)
        await asyncio.sleep(0.3)
        b_quiet = qb.empty()
        stop.set()
        await task
        hub.unsubscribe(a, qa)
        return got, b_quiet

    got, b_quiet = asyncio.run(scenario())
    assert got == "changed"
    assert b_quiet


@pytest.mark.mosquitto
def test_command_reaches_the_node_topic(mosquitto_broker: MosquittoProcess) -> None:
    received: list[tuple[str, bytes]] = []
    done = threading.Event()
    node = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def on_message(_c: object, _u: object, msg: mqtt.MQTTMessage) -> None:
        received.append((msg.topic, msg.payload))
        done.set()

    node.on_message = on_message
    node.connect(mosquitto_broker.host, mosquitto_broker.port)
    node.subscribe(command_topic("demo", "shelf-1", "tare").replace("/tare", "/+"), qos=1)
    node.loop_start()
    sender = MqttSender(CloudSettings(mqtt_url=mosquitto_broker.url))
    try:
        import time

        time.sleep(0.2)  # let the SUBACK land before publishing (non-retained command)
        topic, cmd = build_command(
            "demo", "shelf-1", "tare", now=datetime.now(UTC), by="manager", args={"lane": "lane-1"}
        )
        send_command(sender, topic, cmd)
        assert done.wait(5)
    finally:
        sender.close()
        node.loop_stop()
        node.disconnect()
    assert received[0][0] == "smartstore/v1/demo/shelf-1/cmd/tare"
    decoded = Command.model_validate(json.loads(received[0][1]))
    assert decoded.name == "tare"
    assert decoded.args == {"lane": "lane-1"}
    assert decoded.issued_by == "manager"
    assert decoded.expires_at is not None


def test_unknown_command_and_unreachable_broker_are_reported() -> None:
    with pytest.raises(CommandError):
        build_command("demo", "shelf-1", "format_disk", now=datetime.now(UTC), by="x")
    from smartstore.broker import free_port

    sender = MqttSender(CloudSettings(mqtt_url=f"mqtt://127.0.0.1:{free_port()}"))
    topic, cmd = build_command("demo", "kiosk-1", "lock", now=datetime.now(UTC), by="x")
    with pytest.raises(CommandError):
        send_command(sender, topic, cmd)


def test_catalogs_match_and_language_is_picked() -> None:
    assert set(catalog("en")) == set(catalog("zh-Hans"))
    assert all(catalog("zh-Hans").values())
    assert pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh-Hans"
    assert pick_language(None, "fr-FR, en;q=0.5") == "en"
    assert pick_language("en", "zh-CN") == "en"
    assert pick_language(None, "zh;q=abc, garbage;;;") == "en"
    assert Translator("zh-Hans")("dash.sales_count", n=3) == "今日 3 笔交易"
    assert Translator("xx")("no.such.key") == "no.such.key"


def test_language_switch_and_accept_language(console: Console) -> None:
    page = console.client.get("/console/login", headers={"Accept-Language": "zh-CN"})
    assert "登录" in page.text
    assert 'lang="zh-Hans"' in page.text
    console.client.get("/console/lang/en?next=/console/login")
    page = console.client.get("/console/login", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in page.text
