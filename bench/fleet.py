"""Command round trip: cloud dispatcher → Mosquitto → node CommandRouter → result, vs raw paho.

Baseline in the same run: a bare request/response over the same private Mosquitto (a paho
client echoes each request on a reply topic; no pydantic, no tracking). Target: median
dispatcher round trip ≤ 20 ms and ratio ≤ 3× the raw round trip.

    .venv/bin/python -m bench.fleet [--n 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from cloud.fleet.commands import CommandDispatcher, CommandStatus
from cloud.settings import CloudSettings
from contracts.topics import commands_filter
from edge.config import NodeIdentity
from edge.inbound import CommandRouter
from tests.support.services import mosquitto

TARGET_MS = 20.0
TARGET_RATIO = 3.0


def _client(host: str, port: int) -> mqtt.Client:
    """Both sides get TCP_NODELAY, like the dispatcher, so the baseline is not Nagle-bound."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.connect(host, port)
    sock = c.socket()
    assert isinstance(sock, socket.socket)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.loop_start()
    return c


def raw_round_trips(host: str, port: int, n: int) -> list[float]:
    echo, asker = _client(host, port), _client(host, port)
    got = threading.Event()
    ready = threading.Event()

    def echo_back(client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        client.publish("bench/res", msg.payload, qos=1)

    echo.on_message = echo_back
    asker.on_message = lambda _c, _u, _m: got.set()
    asker.on_subscribe = lambda *_a: ready.set()
    echo.subscribe("bench/req", qos=1)
    asker.subscribe("bench/res", qos=1)
    ready.wait(5)
    time.sleep(0.2)
    out = []
    for i in range(n):
        got.clear()
        t0 = time.perf_counter()
        asker.publish("bench/req", f'{{"i": {i}}}'.encode(), qos=1)
        assert got.wait(5)
        out.append(time.perf_counter() - t0)
    for c in (echo, asker):
        c.disconnect()
        c.loop_stop()
    return out


def command_round_trips(url: str, host: str, port: int, n: int) -> list[float]:
    node = _client(host, port)
    router = CommandRouter(
        NodeIdentity(store="demo", node="kiosk-1"),
        lambda t, p: node.publish(t, p, qos=1).rc == 0,
    )
    router.register("lock", lambda cmd: {"phase": "locked"})
    node.on_message = lambda _c, _u, m: router(m.topic, bytes(m.payload))
    node.subscribe(commands_filter("demo", "kiosk-1"), qos=1)
    disp, address = CommandDispatcher.from_settings(CloudSettings(mqtt_url=url))
    disp.start(address.host, address.port)
    time.sleep(0.2)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        done = disp.run("demo", "kiosk-1", "lock", timeout_s=5)
        out.append(time.perf_counter() - t0)
        assert done.status is CommandStatus.OK
    disp.stop()
    node.disconnect()
    node.loop_stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, mosquitto(Path(tmp)) as broker:
        raw = raw_round_trips(broker.host, broker.port, args.n)
        cmd = command_round_trips(broker.url, broker.host, broker.port, args.n)
    raw_ms = statistics.median(raw) * 1000
    cmd_ms = statistics.median(cmd) * 1000
    p95 = statistics.quantiles(cmd, n=20)[18] * 1000
    ratio = cmd_ms / raw_ms
    print(f"raw paho request/response: median {raw_ms:.2f} ms ({args.n} round trips)")
    print(f"command dispatcher:        median {cmd_ms:.2f} ms, p95 {p95:.2f} ms")
    print(
        f"ratio: {ratio:.2f}× (target ≤ {TARGET_RATIO}×, median ≤ {TARGET_MS} ms): "
        f"{'met' if cmd_ms <= TARGET_MS and ratio <= TARGET_RATIO else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
