"""Edge outbox: durable append rate and drain rate to a private Mosquitto.

    .venv/bin/python -m bench.outbox [--events 20000] [--rounds 3]

Append (synchronous=FULL in WAL, i.e. power-cut durable): one caller emitting one event per
transaction; 8 threads emitting concurrently (group commit); ``emit_many`` in batches of 50.
Baseline: the naive loop, one INSERT + COMMIT per event on the same pragmas. Target 5,000/s.

Drain: a pre-filled outbox drained by :class:`edge.link.Link` (QoS 1, in-flight 64) to a
private Mosquitto started from config/mosquitto/mosquitto.conf's tuning lines
(``set_tcp_nodelay true``, queue limits) on a free port. Baseline: raw paho publishing the same
payloads (QoS 1, the same in-flight window of 64) in the same run. Target ratio >= 0.5.
Rounds alternate baseline and link; the best round of each is reported.

With end-to-end acks (SPEC §4) a row is done only when the cloud's ack covers it, so each
round runs a stand-in cloud (:mod:`bench.acker`, its own process) subscribed to the events
and acking them; it is subscribed in the baseline rounds too, so the broker does the same
delivery work in both. The link's rate is to the last row *acked* (depth 0); the rate to the
last PUBACK is printed beside it.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from smartstore.broker import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CONF = ROOT / "config" / "mosquitto" / "mosquitto.conf"
SKIP = (
    "listener",
    "allow_anonymous",
    "password_file",
    "acl_file",
    "persistence",
    "autosave",
    "log_",
    "connection_messages",
    "per_listener_settings",
    "plugin",
    "use_username_as_clientid",
)
INFLIGHT = 64
FAULT = {"code": "bench", "component": "bench", "message": "x" * 120}  # ~330 B envelope


@contextmanager
def private_mosquitto(tmp: Path) -> Iterator[int]:
    port = free_port()
    tuning = [
        line
        for line in PROJECT_CONF.read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(SKIP)
    ]
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false", *tuning]
        )
        + "\n"
    )
    proc = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port("127.0.0.1", port, 10)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _cpu_us(n: int, before: float) -> float:
    return (time.process_time() - before) / n * 1e6


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


# Append ------------------------------------------------------------------------------------


def append_naive(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, topic TEXT, payload BLOB)")
    payload = b"x" * 330
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO t VALUES (?, ?, ?)", (i + 1, "smartstore/v1/a/b/evt/fault", payload)
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return rate(n, elapsed)


def append_single(path: Path, n: int) -> float:
    outbox = Outbox.open(path, "demo", "kiosk-1", OutboxSettings(path=path))
    start = time.perf_counter()
    for _ in range(n):
        outbox.emit("fault", FAULT)
    elapsed = time.perf_counter() - start
    outbox.close()
    return rate(n, elapsed)


def append_threads(path: Path, n: int, threads: int = 8) -> tuple[float, float]:
    outbox = Outbox.open(path, "demo", "kiosk-1", OutboxSettings(path=path))
    per = n // threads

    def work() -> None:
        for _ in range(per):
            outbox.emit("fault", FAULT)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    commits = outbox.stats()["commits"]
    outbox.close()
    return rate(per * threads, elapsed), per * threads / max(commits, 1)


def append_many(path: Path, n: int, batch: int = 50) -> float:
    outbox = Outbox.open(path, "demo", "kiosk-1", OutboxSettings(path=path))
    start = time.perf_counter()
    for _ in range(n // batch):
        outbox.emit_many([("fault", FAULT)] * batch)
    elapsed = time.perf_counter() - start
    outbox.close()
    return rate(n // batch * batch, elapsed)


# Drain -------------------------------------------------------------------------------------


def fill(path: Path, n: int, end_to_end_acks: bool = True) -> Outbox:
    settings = OutboxSettings(
        path=path,
        inflight=INFLIGHT,
        replay_rate=1e9,
        max_rows=n + 100,
        end_to_end_acks=end_to_end_acks,
    )
    outbox = Outbox.open(path, "demo", "kiosk-1", settings)
    for _ in range(n // 500):
        outbox.emit_many([("fault", FAULT)] * 500)
    return outbox


@contextmanager
def acker(port: int) -> Iterator[None]:
    """A fresh stand-in cloud (bench.acker) for one round: it acks seqs from 1 again."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.acker", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready": subscribed
        time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def drain_raw(port: int, rows: list[tuple[str, bytes]]) -> float:
    done = threading.Event()
    acked = [0]

    def on_publish(client: mqtt.Client, userdata: object, mid: int, rc: object, p: object) -> None:
        acked[0] += 1
        if acked[0] == len(rows):
            done.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="bench-raw", protocol=MQTTProtocolVersion.MQTTv5
    )
    client.max_inflight_messages_set(INFLIGHT)
    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    start = time.perf_counter()
    for topic, payload in rows:
        client.publish(topic, payload, qos=1)
    done.wait(300)
    elapsed = time.perf_counter() - start
    client.disconnect()
    client.loop_stop()
    return rate(len(rows), elapsed)


def drain_link(
    port: int, path: Path, n: int, end_to_end_acks: bool = True
) -> tuple[float, float, float]:
    """(rate to the last PUBACK, rate to the last end-to-end ack, CPU µs per message);
    without end-to-end acks a PUBACK is the end (the outbox before SPEC §4)."""
    outbox = fill(path, n, end_to_end_acks)
    link = Link(
        MqttSettings(url=f"mqtt://127.0.0.1:{port}"),
        NodeIdentity(store="demo", node="kiosk-1"),
        outbox,
        kind="bench",
    )
    link.start()
    while not link.connected:
        time.sleep(0.001)
    start, cpu = time.perf_counter(), time.process_time()
    sent_at = None
    while outbox.depth() > 0:
        if sent_at is None and outbox.stats()["sent"] >= n:
            sent_at = time.perf_counter()
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    cpu_us = _cpu_us(n, cpu)
    sent_elapsed = (sent_at or time.perf_counter()) - start
    link.stop()
    outbox.close()
    return rate(n, sent_elapsed), rate(n, elapsed), cpu_us


def bench_drain(tmp: Path, n: int, rounds: int) -> None:
    """Alternate baseline and link rounds; print rates and this process's CPU per message
    (wall-clock rates on a shared 2-core machine swing by 2x or more; CPU much less)."""
    with private_mosquitto(tmp) as port:
        sample = fill(tmp / "sample.sqlite3", n)
        rows = [(r.topic, r.payload) for r in sample.fetch_unacked(0, n)]
        sample.close()
        raws, links, puback, alone, raw_cpu, link_cpu = [], [], [], [], [], []
        before, before_cpu = [], []
        for i in range(rounds):
            alone.append(drain_raw(port, rows))  # the pre-acks baseline: nobody subscribed
            with acker(port):
                t0 = time.process_time()
                raws.append(drain_raw(port, rows))
                raw_cpu.append(_cpu_us(n, t0))
            with acker(port):
                sent, acked, cpu_us = drain_link(port, tmp / f"drain{i}.sqlite3", n)
                link_cpu.append(cpu_us)
            puback.append(sent)
            links.append(acked)
            with acker(port):  # the same subscriber, but the node trusts PUBACKs
                _, old, cpu_us = drain_link(port, tmp / f"old{i}.sqlite3", n, False)
                before.append(old)
                before_cpu.append(cpu_us)
    best_raw, best_link = max(raws), max(links)
    med = statistics.median
    print(f"drain to private Mosquitto (QoS 1, in-flight {INFLIGHT}, {n} events, {rounds} rounds)")
    print(f"  baseline raw paho : best {best_raw:8.0f} msg/s  median {med(raws):8.0f}")
    print(
        f"  raw, no subscriber: best {max(alone):8.0f} msg/s  median {med(alone):8.0f}"
        f"  (link/this: best {best_link / max(alone):.2f})"
    )
    print(
        f"  Link drain, acked : best {best_link:8.0f} msg/s  median {med(links):8.0f}"
        f"  (to the last PUBACK: best {max(puback):.0f})"
    )
    print(
        f"  link, PUBACK only : best {max(before):8.0f} msg/s  median {med(before):8.0f}"
        f"  (as before end-to-end acks; CPU {med(before_cpu):.0f} µs/message)"
    )
    print(
        f"  ratio link/raw    : best {best_link / best_raw:.2f}  median "
        f"{med(links) / med(raws):.2f}  (target >= 0.5)"
    )
    print(
        f"  CPU of this process per message, median: raw {med(raw_cpu):.0f} µs, link "
        f"{med(link_cpu):.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    n = args.events
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp_name:
        tmp = Path(tmp_name)
        naive = append_naive(tmp / "naive.sqlite3", min(n, 3000))
        single = append_single(tmp / "single.sqlite3", min(n, 3000))
        threaded, per_commit = append_threads(tmp / "threads.sqlite3", n)
        many = append_many(tmp / "many.sqlite3", n)
        print("append (synchronous=FULL, WAL: power-cut durable)")
        print(f"  baseline naive commit per event: {naive:9.0f} /s")
        print(f"  Outbox.emit, 1 caller          : {single:9.0f} /s  ratio {single / naive:.2f}")
        print(
            f"  Outbox.emit, 8 threads (group) : {threaded:9.0f} /s  ratio {threaded / naive:.2f}"
            f"  ({per_commit:.1f} events/fsync)  target 5000: {threaded / 5000:.2f}x"
        )
        print(
            f"  Outbox.emit_many(50)           : {many:9.0f} /s  ratio {many / naive:.2f}"
            f"  target 5000: {many / 5000:.2f}x"
        )

        bench_drain(tmp, n, args.rounds)


if __name__ == "__main__":
    main()
