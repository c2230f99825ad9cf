"""The project's Mosquitto ACL confines each node to its own topics (real Mosquitto)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from contracts.topics import event_topic, state_topic
from smartstore.broker import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
ACL = ROOT / "config" / "mosquitto" / "acl.conf"
CONF = ROOT / "config" / "mosquitto" / "mosquitto.conf"


@pytest.mark.mosquitto
def test_node_may_publish_only_under_its_own_id(tmp_path: Path) -> None:
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto not installed")
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="mosq-acl-"))  # readable by the mosquitto user
    work.chmod(0o755)
    acl = work / "acl.conf"
    acl.write_text(ACL.read_text())
    acl.chmod(0o644)
    conf = work / "m.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nacl_file {acl}\nset_tcp_nodelay true\n"
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, 10)
        results: dict[int, str] = {}
        acked = threading.Event()

        def on_publish(c: mqtt.Client, u: object, mid: int, rc: object, p: object) -> None:
            results[mid] = str(rc)
            if len(results) == 3:
                acked.set()

        node = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id="demo-kiosk-1",
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        node.username_pw_set("demo/kiosk-1")
        node.on_publish = on_publish
        node.connect("127.0.0.1", port)
        node.loop_start()
        own = node.publish(event_topic("demo", "kiosk-1", "sale"), b"{}", qos=1).mid
        state = node.publish(state_topic("demo", "kiosk-1"), b"{}", qos=1).mid
        other = node.publish(event_topic("demo", "kiosk-2", "sale"), b"{}", qos=1).mid
        assert acked.wait(10)
        node.disconnect()
        node.loop_stop()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    assert results[own] == "No matching subscribers"
    assert results[state] == "No matching subscribers"
    assert results[other] == "Not authorized"
    assert "set_tcp_nodelay true" in CONF.read_text()
