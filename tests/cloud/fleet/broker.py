"""A private Mosquitto started from the project config with the fleet's generated files: the
nodes' listener under the dynamic-security plugin, the cloud's under a password file and ACL."""

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
from cloud.settings.fleet import DynsecControl, FleetSettings, SignalReload
from smartstore.broker import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]
PROJECT_CONF = ROOT / "config" / "mosquitto" / "mosquitto.conf"


@dataclass
class SecureBroker:
    host: str
    port: int
    proc: subprocess.Popen[bytes]
    fleet: Fleet
    cloud_port: int = 0
    """The cloud services' listener (passwd-cloud); ``port`` is the nodes' listener."""


def project_conf(node_port: int, cloud_port: int, fleet_dir: Path, acl_file: bool = False) -> str:
    """config/mosquitto/mosquitto.conf itself, on free ports, with the fleet's files and no
    persistence: what runs in production is what the tests attack. ``acl_file`` puts the nodes'
    listener back on the password file and acl_file (the measured weaker profile)."""
    text = PROJECT_CONF.read_text()
    if acl_file:
        text = text.replace(
            "plugin_opt_config_file /etc/mosquitto/smartstore/dynamic-security.json",
            "password_file /etc/mosquitto/smartstore/passwd\n"
            "acl_file /etc/mosquitto/smartstore/acl",
        )
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("plugin "))
    text = text.replace("listener 1883 ", f"listener {node_port} ")
    text = text.replace("listener 1884 ", f"listener {cloud_port} ")
    text = text.replace("/etc/mosquitto/smartstore/", f"{fleet_dir}/")
    lines = [
        ln
        for ln in text.splitlines()
        if not ln.startswith(("persistence", "autosave_interval", "log_dest"))
    ]
    return "\n".join([*lines, "persistence false", ""])


@contextmanager
def secure_broker(acl_file: bool = False) -> Iterator[SecureBroker]:
    """Mosquitto from the project config with the fleet's generated files; node changes reach
    it over $CONTROL, service changes by SIGHUP."""
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto not installed")
    work = Path(tempfile.mkdtemp(prefix="fleet-broker-"))
    work.chmod(0o755)  # mosquitto drops root for its own user, which must read the files
    port, cloud_port = free_port(), free_port()
    fleet_dir = work / "fleet"
    fleet_dir.mkdir()
    fleet_dir.chmod(0o755)
    settings = FleetSettings(dir=fleet_dir)
    Fleet(settings).sync()  # the files a first start needs: the fleet's admin, no node yet
    for path in (settings.passwd_path, settings.service_passwd_path, settings.acl_path):
        path.chmod(0o644)
    conf = work / "mosquitto.conf"
    conf.write_text(project_conf(port, cloud_port, fleet_dir, acl_file))
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, 10)
        wait_for_port("127.0.0.1", cloud_port, 10)
        control = None if acl_file else DynsecControl(port=port)
        live = {"reload": SignalReload(pid=proc.pid), "control": control}
        fleet = Fleet(settings.model_copy(update=live))
        yield SecureBroker("127.0.0.1", port, proc, fleet, cloud_port)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


class Probe:
    """A paho MQTT 5 client that records connect results, PUBACK reasons and messages."""

    def __init__(
        self,
        broker: SecureBroker,
        username: str,
        password: str,
        client_id: str,
        port: int | None = None,
    ):
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
        self.granted: list[str] = []
        """The reason codes of the last SUBACK ("Granted QoS 1", "Not authorized"…)."""
        self._lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self.disconnected.set()
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.broker = broker
        self.port = port or (broker.cloud_port if username.startswith("cloud-") else broker.port)

    def _on_connect(self, _c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connack = str(rc)
        self.connected.set()

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, codes: list[Any], _p: Any) -> None:
        self.granted = [str(rc) for rc in codes]
        self.subscribed.set()

    def _on_publish(self, _c: Any, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        with self._lock:
            self.acks[mid] = str(rc)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload)))

    def connect(self, timeout: float = 10.0) -> str:
        self.client.connect(self.broker.host, self.port)
        self.client.loop_start()
        assert self.connected.wait(timeout), "no CONNACK"
        assert self.connack is not None
        return self.connack

    def subscribe(self, topic_filter: str) -> str:
        """The SUBACK's reason code for ``topic_filter``."""
        self.subscribed.clear()
        self.client.subscribe(topic_filter, qos=1)
        assert self.subscribed.wait(10)
        return self.granted[0]

    def publish(self, topic: str, payload: bytes = b"{}") -> int:
        return self.client.publish(topic, payload, qos=1).mid

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
