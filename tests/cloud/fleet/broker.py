"""A private Mosquitto started with the fleet's generated password file and ACL."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from cloud.fleet.service import Fleet
from cloud.fleet.settings import FleetSettings, SignalReload
from smartstore.broker import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]
PROJECT_CONF = ROOT / "config" / "mosquitto" / "mosquitto.conf"
TUNING = ("set_tcp_nodelay", "max_queued_messages", "max_inflight_messages", "message_size_limit")


@dataclass
class SecureBroker:
    host: str
    port: int
    proc: subprocess.Popen[bytes]
    fleet: Fleet


@contextmanager
def secure_broker() -> Iterator[SecureBroker]:
    """Mosquitto with the project's tuning lines, anonymous off, the fleet's files, SIGHUP."""
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto not installed")
    work = Path(tempfile.mkdtemp(prefix="fleet-broker-"))
    work.chmod(0o755)  # mosquitto drops root for its own user, which must read the files
    port = free_port()
    fleet_dir = work / "fleet"
    fleet_dir.mkdir()
    fleet_dir.chmod(0o755)
    settings = FleetSettings(dir=fleet_dir)
    for path in (settings.passwd_path, settings.acl_path):
        path.write_text("")
        path.chmod(0o644)
    tuning = [ln for ln in PROJECT_CONF.read_text().splitlines() if ln.split(" ", 1)[0] in TUNING]
    conf = work / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                f"listener {port} 127.0.0.1",
                "allow_anonymous false",
                f"password_file {settings.passwd_path}",
                f"acl_file {settings.acl_path}",
                "persistence false",
                *tuning,
                "",
            ]
        )
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, 10)
        fleet = Fleet(settings.model_copy(update={"reload": SignalReload(pid=proc.pid)}))
        yield SecureBroker("127.0.0.1", port, proc, fleet)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


class Probe:
    """A paho MQTT 5 client that records connect results, PUBACK reasons and messages."""

    def __init__(self, broker: SecureBroker, username: str, password: str, client_id: str):
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
        )
        self.client.username_pw_set(username, password)
        self.connack: str | None = None
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.acks: dict[int, str] = {}
        self.messages: list[tuple[str, bytes]] = []
        self.subscribed = threading.Event()
        self._lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self.disconnected.set()
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.broker = broker

    def _on_connect(self, _c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connack = str(rc)
        self.connected.set()

    def _on_publish(self, _c: Any, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        with self._lock:
            self.acks[mid] = str(rc)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload)))

    def connect(self, timeout: float = 10.0) -> str:
        self.client.connect(self.broker.host, self.broker.port)
        self.client.loop_start()
        assert self.connected.wait(timeout), "no CONNACK"
        assert self.connack is not None
        return self.connack

    def subscribe(self, topic_filter: str) -> None:
        self.subscribed.clear()
        self.client.subscribe(topic_filter, qos=1)
        assert self.subscribed.wait(10)

    def publish(self, topic: str, payload: bytes = b"{}") -> int:
        return self.client.publish(topic, payload, qos=1).mid

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
