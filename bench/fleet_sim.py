"""``smartstore simulate fleet``: the message rate one simulator process sustains, and its mix.

    .venv/bin/python -m bench.fleet_sim [--stores 10] [--seconds 10] [--rate 300]

Fleet: ``--stores`` × 3 nodes, each a real :class:`edge.outbox.Outbox` (SQLite, sync normal)
and :class:`edge.link.Link` (MQTT 5, QoS 1, in-flight 64), against a private Mosquitto
(project-style config) on loopback. Two runs: *flat out* (emitter unthrottled: the most the
simulator can push) and *paced* at ``--rate`` events/s (does it hold its target?). A message
counts once the broker acknowledged it (the outbox row is marked sent).

Baseline in the same run: raw paho, the same number of clients, each publishing the same
encoded envelopes (a sample of the fleet's own mix) with the same window of 64 unacknowledged
messages, for the same time; ratio = fleet acked/s ÷ raw acked/s.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from edge.config import OutboxSettings
from edge.outbox import Outbox
from simulators.fleet import MIX, Fleet, fake_event
from tests.support.services import mosquitto

WINDOW = 64


def sample_rows(path: Path, n: int = 2000) -> list[tuple[str, bytes]]:
    """Encoded envelopes in the fleet's mix, straight from an outbox."""
    outbox = Outbox.open(path, "fleet-001", "kiosk-1", OutboxSettings(path=path, sync="normal"))
    rng = random.Random(1)
    kinds, weights = zip(*MIX, strict=True)
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        outbox.emit(kind, fake_event(kind, rng, datetime.now(UTC)))
    rows = [(r.topic, r.payload) for r in outbox.fetch_unsent(0, n)]
    outbox.close()
    return rows


def raw_paho(port: int, clients: int, rows: list[tuple[str, bytes]], seconds: float) -> float:
    """Acked messages/s of ``clients`` bare paho publishers, each with a window of 64."""
    acked = [0] * clients
    stop = threading.Event()
    threads, conns = [], []
    for i in range(clients):
        window = threading.Semaphore(WINDOW)

        def on_publish(
            *_: object, i: int = i, w: threading.Semaphore = window, **__: object
        ) -> None:
            acked[i] += 1
            w.release()

        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"raw-{i}", protocol=MQTTProtocolVersion.MQTTv5
        )
        client.max_inflight_messages_set(WINDOW)
        client.on_publish = on_publish
        client.connect("127.0.0.1", port)
        client.loop_start()
        conns.append(client)

        def pump(client: mqtt.Client = client, window: threading.Semaphore = window) -> None:
            k = 0
            while not stop.is_set():
                if window.acquire(timeout=0.1):
                    topic, payload = rows[k % len(rows)]
                    client.publish(topic, payload, qos=1)
                    k += 1

        threads.append(threading.Thread(target=pump, daemon=True))
    time.sleep(0.5)
    start, before = time.perf_counter(), sum(acked)
    for t in threads:
        t.start()
    time.sleep(seconds)
    done, elapsed = sum(acked), time.perf_counter() - start
    stop.set()
    for t in threads:
        t.join(5)
    for client in conns:
        client.disconnect()
        client.loop_stop()
    return (done - before) / elapsed


def fleet_run(
    port: int, stores: int, rate: float, seconds: float, tmp: Path
) -> tuple[float, float, int, Counter[str]]:
    """(emitted/s, acked/s, backlog at the end, mix) of one fleet run."""
    # no cloud here to ack end to end: the nodes count the broker's PUBACK as delivery
    fleet = Fleet(stores, f"mqtt://127.0.0.1:{port}", tmp, rate=rate, end_to_end_acks=False)
    fleet.start()
    try:
        deadline = time.monotonic() + 30
        while fleet.connected() < len(fleet.nodes) and time.monotonic() < deadline:
            time.sleep(0.05)
        start = time.perf_counter()
        emitted0, depth0 = fleet.emitted, fleet.depth()
        time.sleep(seconds)
        emitted, depth = fleet.emitted, fleet.depth()
        elapsed = time.perf_counter() - start
        fleet.pause()
        acked = (emitted - depth) - (emitted0 - depth0)
        return (emitted - emitted0) / elapsed, acked / elapsed, depth, Counter(fleet.mix)
    finally:
        fleet.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="Paced run: events/s")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("edge.link.paho").setLevel(logging.CRITICAL)  # stop() races paho
    nodes = args.stores * 3
    with tempfile.TemporaryDirectory(prefix="bench-fleet-sim-") as name:
        tmp = Path(name)
        with mosquitto(tmp) as broker:
            rows = sample_rows(tmp / "sample.sqlite3")
            size = sum(len(p) for _, p in rows) / len(rows)
            raw = raw_paho(broker.port, nodes, rows, args.seconds)
            out_emit, out_ack, out_depth, mix = fleet_run(
                broker.port, args.stores, 1e6, args.seconds, tmp / "flat"
            )
            paced_emit, paced_ack, paced_depth, _ = fleet_run(
                broker.port, args.stores, args.rate, args.seconds, tmp / "paced"
            )
    total = sum(mix.values()) or 1
    print(f"fleet: {args.stores} stores × 3 nodes = {nodes} links, {args.seconds:g} s per run")
    print(
        "  mix: "
        + ", ".join(f"{k} {100 * mix[k] / total:.0f} %" for k, _ in MIX)
        + f"; mean envelope {size:.0f} B"
    )
    print(f"  baseline raw paho ({nodes} clients, window {WINDOW}): {raw:8.0f} acked msg/s")
    print(
        f"  fleet flat out : emitted {out_emit:7.0f}/s  acked {out_ack:7.0f}/s  backlog at end "
        f"{out_depth}  ratio acked/raw {out_ack / raw:.2f}"
    )
    print(
        f"  fleet paced {args.rate:g}/s: emitted {paced_emit:7.0f}/s  acked {paced_ack:7.0f}/s  "
        f"backlog at end {paced_depth}  held target: {paced_emit / args.rate:.2f}"
    )


if __name__ == "__main__":
    main()
