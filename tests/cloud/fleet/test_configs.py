"""Versioned configs in the cloud, pushed through a real Mosquitto to a node's Link; the node
validates, applies or rolls back, and its retained state reports the config version."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from cloud.fleet.commands import CommandDispatcher, CommandStatus
from cloud.fleet.configs import ConfigStore, push_config
from cloud.fleet.exceptions import RemoteConfigError
from cloud.settings import CloudSettings
from contracts.codec import decode_model
from contracts.messages import NodeState
from contracts.topics import commands_filter, state_topic
from edge.config import MqttSettings, NodeConfig, OutboxSettings, load_config
from edge.inbound import CommandRouter
from edge.link import Link
from edge.outbox import Outbox
from edge.remote_config import RemoteConfig, report_version_on
from tests.support.services import MosquittoProcess


def node_config(url: str, tmp: Path, level: str = "INFO") -> dict[str, object]:
    return {
        "identity": {"store": "demo", "node": "kiosk-1"},
        "mqtt": {"url": url},
        "outbox": {"path": str(tmp / "k1.sqlite3")},
        "log_level": level,
    }


def test_config_store_versions_by_content(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path)
    base = {"identity": {"store": "demo", "node": "kiosk-1"}, "log_level": "INFO"}
    v1 = store.save("demo", "kiosk-1", base)
    assert store.save("demo", "kiosk-1", dict(base)) == v1  # unchanged content, same version
    v2 = store.save("demo", "kiosk-1", {**base, "log_level": "DEBUG"})
    assert v1.startswith("1-")
    assert v2.startswith("2-")
    assert store.versions("demo", "kiosk-1") == [v1, v2]
    assert store.get("demo", "kiosk-1") == (v2, {**base, "log_level": "DEBUG"})
    assert store.get("demo", "kiosk-1", v1)[1] == base
    with pytest.raises(RemoteConfigError):
        store.save("demo", "kiosk-1", {**base, "identity": {"store": "demo", "node": "x"}})
    with pytest.raises(RemoteConfigError):
        store.get("demo", "kiosk-2")
    with pytest.raises(RemoteConfigError):
        store.get("demo", "kiosk-1", "9-nothere")
    with pytest.raises(ValueError):
        store.save("../etc", "kiosk-1", base)


@pytest.mark.mosquitto
def test_push_apply_report_and_roll_back_through_the_broker(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text(yaml.safe_dump(node_config(mosquitto_broker.url, tmp_path)))
    config = load_config(NodeConfig, path, environ={})
    outbox = Outbox.open(
        config.outbox.path, "demo", "kiosk-1", OutboxSettings(path=config.outbox.path)
    )
    link = Link(MqttSettings(url=mosquitto_broker.url), config.identity, outbox, kind="kiosk")
    applied: list[str] = []

    def apply(new: NodeConfig) -> None:
        if new.log_level == "ERROR":
            raise RuntimeError("refusing to go quiet")
        applied.append(new.log_level)

    remote = RemoteConfig(path, NodeConfig, config, apply, on_version=report_version_on(link))
    router = CommandRouter(config.identity, link.publish_now)
    remote.register(router)
    link.route(commands_filter("demo", "kiosk-1"), router)

    states: list[NodeState] = []
    watcher = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    watcher.on_message = lambda _c, _u, m: states.append(decode_model(NodeState, bytes(m.payload)))
    subscribed = threading.Event()
    watcher.on_subscribe = lambda *_a: subscribed.set()
    watcher.connect(mosquitto_broker.host, mosquitto_broker.port)
    watcher.subscribe(state_topic("demo", "kiosk-1"), qos=1)
    watcher.loop_start()
    assert subscribed.wait(10)

    store = ConfigStore(tmp_path / "fleet")
    disp, address = CommandDispatcher.from_settings(CloudSettings(mqtt_url=mosquitto_broker.url))
    disp.start(address.host, address.port)
    link.start()
    try:
        deadline = time.monotonic() + 10
        while not link.connected and time.monotonic() < deadline:
            time.sleep(0.02)
        good = store.save("demo", "kiosk-1", node_config(mosquitto_broker.url, tmp_path, "DEBUG"))
        done = push_config(disp, store, "demo", "kiosk-1", timeout_s=10)
        assert done.status is CommandStatus.OK, done.result
        assert applied == ["DEBUG"]
        deadline = time.monotonic() + 10
        while not any(s.config_version == good for s in states) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(s.online and s.config_version == good for s in states)

        store.save("demo", "kiosk-1", node_config(mosquitto_broker.url, tmp_path, "ERROR"))
        bad = push_config(disp, store, "demo", "kiosk-1", timeout_s=10)
        assert bad.status is CommandStatus.FAILED
        assert bad.result is not None
        assert "rolled back" in (bad.result.error or "")
        assert yaml.safe_load(path.read_text())["log_level"] == "DEBUG"
        assert link.config_version == good
    finally:
        disp.stop()
        link.stop()
        outbox.close()
        watcher.disconnect()
        watcher.loop_stop()
