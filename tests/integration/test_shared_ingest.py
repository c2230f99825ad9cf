"""Two ingest workers on one MQTT 5 shared subscription through a real Mosquitto take a
50,000-event run into PostgreSQL with no duplicate and no loss.

Ten nodes publish interleaved sales (one line) and stock events; a tenth of the events are
published twice (a node resending after a lost PUBACK). Both workers must share the load,
every (node, seq) must be applied exactly once, and every sale must exist exactly once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select, text

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.devices import service as devices
from cloud.ingest.models import DeadLetter, ProcessedEvent
from cloud.ingest.runner import ingest_engine
from cloud.ingest.worker import IngestWorker
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.codec import encode, make_envelope
from contracts.topics import event_topic
from tests.cloud.factories import GTINS, sale_data, setup_store
from tests.support.services import MosquittoProcess, postgres_database

pytestmark = [pytest.mark.mosquitto, pytest.mark.postgres, pytest.mark.slow]

EVENTS = 50_000
NODES = [f"kiosk-{i}" for i in range(1, 11)]
DEADLINE_S = 420.0


@pytest.fixture
def database() -> Iterator[str]:
    with postgres_database("smartstore_shared") as url:
        engine = make_engine(url)
        load_models().create_all(engine)
        with transaction(make_sessionmaker(engine)) as s:
            setup_store(s)
            for node in NODES[2:]:
                devices.register_device(s, "demo", node, "kiosk")
        engine.dispose()
        yield url


def build_messages() -> tuple[list[tuple[str, bytes]], int]:
    messages: list[tuple[str, bytes]] = []
    sales = 0
    for i in range(EVENTS):
        node = NODES[i % len(NODES)]
        seq = i // len(NODES) + 1
        if i % 4 == 3:
            etype, data = (
                "stock",
                {
                    "lane": f"a{i % 7}",
                    "sku": "SKU-0",
                    "gtin": GTINS[0],
                    "count": i % 20,
                    "grams": str(i % 20 * 100),
                    "state": "ok" if i % 20 > 3 else "low",
                },
            )
        else:
            etype, data = "sale", sale_data(f"{node}-{seq}", n_lines=1)
            sales += 1
        env = make_envelope(
            store="demo",
            node=node,
            boot=1,
            seq=seq,
            event_type=etype,
            data=data,
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{node}/{seq}"),
        )
        messages.append((event_topic("demo", node, etype), encode(env)))
    return messages, sales


def test_two_workers_take_50000_events_exactly_once(
    mosquitto_broker: MosquittoProcess, database: str
) -> None:
    messages, sales = build_messages()
    settings = CloudSettings(
        database_url=database, mqtt_url=mosquitto_broker.url, device_timeout_s=3600
    )
    engines = [ingest_engine(settings) for _ in range(2)]
    workers = [IngestWorker(settings, make_sessionmaker(e), batch_size=256) for e in engines]
    for w in workers:
        w.start()
        assert w.wait_connected(10)
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.max_inflight_messages_set(500)
    pub.connect(mosquitto_broker.host, mosquitto_broker.port)
    pub.loop_start()
    start = time.monotonic()
    try:
        infos = []
        for n, (topic, payload) in enumerate(messages):
            infos.append(pub.publish(topic, payload, qos=1))
            if n % 10 == 0:
                infos.append(pub.publish(topic, payload, qos=1))  # a resend
        for info in infos:
            info.wait_for_publish(120)
        published = len(infos)
        while time.monotonic() - start < DEADLINE_S:
            if sum(w.acked for w in workers) >= published:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - start
    finally:
        pub.disconnect()
        pub.loop_stop()
        for w in workers:
            w.stop()
    acked = [w.acked for w in workers]
    applied = [w.pipeline.applied for w in workers]
    assert sum(acked) == published, f"acked {acked} of {published} in {elapsed:.0f}s"
    assert all(a > published // 10 for a in acked), f"load not shared: {acked}"
    assert sum(applied) == EVENTS, applied  # resends were skipped, not applied twice

    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ProcessedEvent)) == EVENTS
            assert conn.scalar(select(func.count()).select_from(DeadLetter)) == 0
            assert conn.scalar(select(func.count()).select_from(Sale)) == sales
            assert conn.scalar(select(func.count(func.distinct(Sale.sale_id)))) == sales
            # every node's seq 1..N present exactly once: no gap, no duplicate
            rows = conn.execute(
                text(
                    "SELECT node, count(*), min(seq), max(seq), count(DISTINCT seq) "
                    "FROM processed_events GROUP BY node"
                )
            ).all()
    finally:
        engine.dispose()
        for e in engines:
            e.dispose()
    per_node = EVENTS // len(NODES)
    assert sorted(rows) == [(n, per_node, 1, per_node, per_node) for n in sorted(NODES)]
    print(
        f"\n{EVENTS} events (+{published - EVENTS} resends) through 2 workers in "
        f"{elapsed:.1f}s: {EVENTS / elapsed:,.0f} events/s, acked {acked}"
    )
