"""Ingest throughput: sale events (5 lines each) from a private Mosquitto into PostgreSQL.

One ingest worker (MQTT 5 shared subscription, manual ack after commit) against a null
subscriber draining the same messages (shared subscription, QoS 1, manual ack at once) in
the same run. Both have persistent sessions that the broker fills while they are away, so
each measures its drain rate alone, not the publisher's speed. Target ≥ 3,000 events/s and
ratio ≥ 0.4. CPU per event is printed for both (process CPU: paho, validation, SQL driver;
server: the PostgreSQL backends of the bench database), since wall-clock rates on a shared
machine swing by 2×.

``--apply-only`` leaves MQTT out: validation (baseline) and then ``Pipeline.process`` on the
validated messages, in batches, with CPU µs per event by stage; ``--profile`` adds cProfile.

    .venv/bin/python -m bench.ingest [--events N] [--batch B] [--default-gc] [--workers W]
                                     [--schema REV] [--apply-only [--profile]]

``--workers W`` (W > 1) drains with W worker processes on the one shared subscription, the
production layout (``smartstore-ingest@1..W``; bench/ingest_workers.py).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select

from bench import ingest_workers
from cloud.db.migrate import upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.ingest import acks
from cloud.ingest.pipeline import Pipeline, predecode
from cloud.ingest.runner import build_worker, tune_gc
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.codec import encode, make_envelope
from contracts.topics import event_topic, events_filter, shared
from tests.cloud.factories import sale_data, setup_store
from tests.support.services import mosquitto, postgres_database

TARGET_RATE = 3000.0
TARGET_RATIO = 0.4


def _process_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _server_cpu(database: str) -> float:
    """CPU seconds of the local PostgreSQL backends serving ``database`` (0 if not visible)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if database.encode() not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass
class Cost:
    """Wall time and CPU of one measured phase."""

    wall: float = 0.0
    process: float = 0.0
    server: float = 0.0

    def per_event(self, n: int) -> str:
        return (
            f"{n / self.wall:,.0f} events/s; CPU/event: process {self.process / n * 1e6:.0f} µs"
            f", PostgreSQL {self.server / n * 1e6:.0f} µs"
        )


@contextmanager
def _measure(database: str) -> Iterator[Cost]:
    cost = Cost()
    w0, p0, s0 = time.perf_counter(), _process_cpu(), _server_cpu(database)
    yield cost
    cost.wall = time.perf_counter() - w0
    cost.process = _process_cpu() - p0
    cost.server = _server_cpu(database) - s0


def _client(client_id: str, clean: bool) -> mqtt.Client:
    return mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )


def _session_props() -> Properties:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    return props


def _register(host: str, port: int, client_id: str, group: str) -> None:
    """Create a persistent session with the shared subscription, then leave."""
    done = threading.Event()
    c = _client(client_id, clean=False)
    c.on_subscribe = lambda *_a: done.set()
    c.connect(host, port, clean_start=True, properties=_session_props())
    c.loop_start()
    c.subscribe(shared(group, events_filter()), qos=1)
    assert done.wait(10), "subscribe not acknowledged"
    c.disconnect()
    c.loop_stop()


def _messages(n: int, first_seq: int = 1) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        node = "kiosk-1" if i % 2 else "kiosk-2"
        env = make_envelope(
            store="demo",
            node=node,
            boot=1,
            seq=first_seq + i // 2,
            event_type="sale",
            data=sale_data(
                f"S-{first_seq}-{i:07d}", member={"phone": "13800000001"} if i % 3 == 0 else None
            ),
            event_id=uuid.uuid4(),
        )
        out.append((event_topic("demo", node, "sale"), encode(env)))
    return out


def _publish(host: str, port: int, messages: list[tuple[str, bytes]]) -> None:
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(1000)
    c.connect(host, port)
    c.loop_start()
    infos = [c.publish(t, p, qos=1) for t, p in messages]
    for info in infos:
        info.wait_for_publish(60)
    c.disconnect()
    c.loop_stop()


def _null_drain(host: str, port: int, n: int, database: str) -> Cost:
    got = 0
    done = threading.Event()
    c = _client("bench-null", clean=False)

    def on_message(client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        nonlocal got
        client.ack(msg.mid, msg.qos)
        got += 1
        if got >= n:
            done.set()

    c.on_message = on_message
    with _measure(database) as cost:
        c.connect(host, port, clean_start=False, properties=_session_props())
        c.loop_start()
        assert done.wait(300), f"null subscriber got {got}/{n}"
    c.disconnect()
    c.loop_stop()
    return cost


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of each live thread of this process, by thread name (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            with open(f"/proc/self/task/{thread.native_id}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = "paho" if thread.name.startswith("paho") else thread.name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _ingest_drain(
    settings: CloudSettings, n: int, batch: int, database: str, tune: bool = True
) -> Cost:
    worker = build_worker(settings, batch_size=batch)
    if tune:
        tune_gc()  # as `smartstore cloud ingest` does (cloud.ingest.runner.run)
    main0 = _thread_cpu().get("MainThread", 0.0)
    with _measure(database) as cost:
        worker.start()
        deadline = time.perf_counter() + 600
        while worker.pipeline.applied < n and time.perf_counter() < deadline:
            time.sleep(0.005)
        threads = _thread_cpu()
    worker.stop()
    threads["MainThread"] = threads.get("MainThread", 0.0) - main0
    per = ", ".join(
        f"{name} {sec / n * 1e6:.0f} µs" for name, sec in sorted(threads.items()) if sec > 0
    )
    print(f"ingest CPU/event by thread: {per}")
    assert worker.pipeline.applied == n, f"applied {worker.pipeline.applied}/{n}"
    print(f"ingest: {worker.batches} batches, {n / max(1, worker.batches):.0f} events/batch")
    return cost


def _workers_drain(
    settings: CloudSettings, ids: list[str], n: int, batch: int, database: str, default_gc: bool
) -> Cost:
    d = ingest_workers.drain(
        settings, ids, n, batch, lambda: _server_cpu(database), tune=not default_gc
    )
    print(f"ingest: {len(ids)} worker processes applied {d.applied}, CPU summed over them")
    return Cost(wall=d.wall, process=d.cpu, server=d.server)


def _now() -> datetime:
    return datetime.now(UTC)


def _apply_only(url: str, database: str, n: int, batch: int, profile: bool) -> None:
    """Validation (the baseline), then the pipeline on validated messages, no broker."""
    engine = make_engine(url)
    pipeline = Pipeline(make_sessionmaker(engine))
    warm = _messages(batch, first_seq=n + 1)
    pipeline.process([predecode(t, p) for t, p in warm])  # connections, prepared statements
    tune_gc()  # as the ingest process does
    raw = _messages(n)
    with _measure(database) as decode:
        decoded = [predecode(t, p) for t, p in raw]
    batches = [decoded[i : i + batch] for i in range(0, n, batch)]
    prof = cProfile.Profile(time.thread_time) if profile else None  # CPU, not waits
    with _measure(database) as apply:
        if prof is not None:
            prof.enable()
        for b in batches:
            pipeline.process(b)
        if prof is not None:
            prof.disable()
    # as the worker does: each batch, then the end-to-end ack floors (SPEC §4); the seqs
    # continue the first pass's, so every floor rises batch by batch
    factory = make_sessionmaker(engine)
    more = [predecode(t, p) for t, p in _messages(n, first_seq=n // 2 + 1)]
    with _measure(database) as floors:
        for i in range(0, n, batch):
            pipeline.process(more[i : i + batch])
            with transaction(factory) as session:
                acks.advance(session, acks.nodes_of(m.topic for m in more[i : i + batch]), _now())
    engine.dispose()
    assert pipeline.applied == 2 * n + len(warm), f"applied {pipeline.applied}"
    print(f"load average before/after: {_loadavg()}")
    print(f"validate (baseline): {decode.per_event(n)}")
    print(f"apply {n} validated events in batches of {batch}: {apply.per_event(n)}")
    print(f"the same, raising the end-to-end ack floors after each batch: {floors.per_event(n)}")
    total = decode.process + apply.process
    print(
        f"ingest CPU/event without MQTT: process {total / n * 1e6:.0f} µs "
        f"(validation {decode.process / total:.0%}), PostgreSQL {apply.server / n * 1e6:.0f} µs"
    )
    if prof is not None:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--apply-only", action="store_true", help="no MQTT: CPU by stage")
    parser.add_argument("--profile", action="store_true", help="with --apply-only: cProfile")
    parser.add_argument(
        "--default-gc", action="store_true", help="leave the GC as it is (no runner.tune_gc)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="ingest worker processes on one shared subscription (deployed: smartstore-ingest@N)",
    )
    parser.add_argument(
        "--schema",
        default="head",
        help="migrate the bench database to this revision (e.g. 0140: before decision 0150)",
    )
    args = parser.parse_args()
    n = args.events
    print(f"load average: {_loadavg()}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_database("smartstore_bench") as url,
    ):
        database = url.rsplit("/", 1)[-1]
        upgrade(url, args.schema)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as s:
            setup_store(s)
        if args.apply_only:
            engine.dispose()
            _apply_only(url, database, n, args.batch, args.profile)
            return
        with mosquitto(Path(tmp)) as broker:
            settings = CloudSettings(
                database_url=url,
                mqtt_url=broker.url,
                mqtt_client_id="bench-ingest",
                ingest_group="ingest",
                device_timeout_s=3600,
            )
            _register(broker.host, broker.port, "bench-null", "nullgrp")
            ids = ingest_workers.client_ids("bench-ingest", args.workers)
            for cid in ids if args.workers > 1 else ["bench-ingest"]:
                _register(broker.host, broker.port, cid, "ingest")
            messages = _messages(n)
            t0 = time.perf_counter()
            _publish(broker.host, broker.port, messages)
            print(f"published {n} sale events (5 lines) in {time.perf_counter() - t0:.1f}s")
            null = _null_drain(broker.host, broker.port, n, database)
            if args.workers > 1:
                ingest = _workers_drain(settings, ids, n, args.batch, database, args.default_gc)
            else:
                ingest = _ingest_drain(settings, n, args.batch, database, not args.default_gc)
        with make_sessionmaker(engine)() as s:
            sales = s.scalar(select(func.count()).select_from(Sale))
        engine.dispose()
    ratio = null.wall / ingest.wall
    print(f"load average after: {_loadavg()}")
    print(f"baseline null subscriber: {null.per_event(n)}")
    print(f"ingest → PostgreSQL:      {ingest.per_event(n)}; {sales} sales")
    print(f"ratio ingest/null: {ratio:.2f} (target ≥ {TARGET_RATIO})")
    ok = n / ingest.wall >= TARGET_RATE and ratio >= TARGET_RATIO
    print(
        f"target ≥ {TARGET_RATE:,.0f} events/s and ratio ≥ {TARGET_RATIO}: "
        f"{'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
