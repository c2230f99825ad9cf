"""Ingest throughput: sale events (5 lines each) from a private Mosquitto into PostgreSQL.

One ingest worker (MQTT 5 shared subscription, manual ack after commit) against a null
subscriber draining the same messages (shared subscription, QoS 1, manual ack at once) in
the same run. Both have persistent sessions that the broker fills while they are away, so
each measures its drain rate alone, not the publisher's speed. Target ≥ 3,000 events/s and
ratio ≥ 0.4.

    .venv/bin/python -m bench.ingest [--events N] [--batch B] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select

from cloud.db.migrate import upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.ingest.runner import build_worker
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.messages import encode, make_envelope
from contracts.topics import event_topic, events_filter, shared
from tests.cloud.factories import sale_data, setup_store
from tests.support.services import mosquitto, postgres_database

TARGET_RATE = 3000.0
TARGET_RATIO = 0.4


def _client(client_id: str, clean: bool) -> mqtt.Client:
    return mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )


def _session_props() -> Properties:
    props = Properties(PacketTypes.CONNECT)
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


def _messages(n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        node = "kiosk-1" if i % 2 else "kiosk-2"
        env = make_envelope(
            store="demo",
            node=node,
            boot=1,
            seq=i // 2 + 1,
            event_type="sale",
            data=sale_data(f"S-{i:07d}", member={"phone": "13800000001"} if i % 3 == 0 else None),
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


def _null_drain(host: str, port: int, n: int) -> float:
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
    start = time.perf_counter()
    c.connect(host, port, clean_start=False, properties=_session_props())
    c.loop_start()
    assert done.wait(300), f"null subscriber got {got}/{n}"
    elapsed = time.perf_counter() - start
    c.disconnect()
    c.loop_stop()
    return elapsed


def _ingest_drain(settings: CloudSettings, n: int, batch: int, profile: bool) -> float:
    worker = build_worker(settings, batch_size=batch)
    prof = cProfile.Profile() if profile else None
    start = time.perf_counter()
    worker.start()
    if prof is not None:
        threading.setprofile(lambda *_a: None)
    deadline = start + 600
    while worker.pipeline.applied < n and time.perf_counter() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    worker.stop()
    assert worker.pipeline.applied == n, f"applied {worker.pipeline.applied}/{n}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--profile", action="store_true", help="cProfile the apply thread")
    args = parser.parse_args()
    n = args.events
    with (
        tempfile.TemporaryDirectory() as tmp,
        mosquitto(Path(tmp)) as broker,
        postgres_database("smartstore_bench") as url,
    ):
        upgrade(url, "head")
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as s:
            setup_store(s)
        settings = CloudSettings(
            database_url=url,
            mqtt_url=broker.url,
            mqtt_client_id="bench-ingest",
            ingest_group="ingest",
            device_timeout_s=3600,
        )
        _register(broker.host, broker.port, "bench-null", "nullgrp")
        _register(broker.host, broker.port, "bench-ingest", "ingest")
        messages = _messages(n)
        t0 = time.perf_counter()
        _publish(broker.host, broker.port, messages)
        print(f"published {n} sale events (5 lines) in {time.perf_counter() - t0:.1f}s")

        null_s = _null_drain(broker.host, broker.port, n)
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
        ingest_s = _ingest_drain(settings, n, args.batch, False)
        if args.profile:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        with make_sessionmaker(engine)() as s:
            sales = s.scalar(select(func.count()).select_from(Sale))
        engine.dispose()
    null_rate, ingest_rate = n / null_s, n / ingest_s
    ratio = ingest_rate / null_rate
    print(f"baseline null subscriber: {null_rate:,.0f} events/s ({null_s:.2f}s)")
    print(f"ingest → PostgreSQL:      {ingest_rate:,.0f} events/s ({ingest_s:.2f}s), {sales} sales")
    print(f"ratio ingest/null: {ratio:.2f} (target ≥ {TARGET_RATIO})")
    ok = ingest_rate >= TARGET_RATE and ratio >= TARGET_RATIO
    print(
        f"target ≥ {TARGET_RATE:,.0f} events/s and ratio ≥ {TARGET_RATIO}: "
        f"{'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
