"""``/metrics`` of the cloud app (figures from the database) and of an ingest worker (live)."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.auth.service import make_hasher
from cloud.db.session import make_engine, transaction
from cloud.ingest.pipeline import Inbound, Pipeline, inspect
from cloud.ingest.worker import IngestWorker
from cloud.main import create_app
from cloud.metrics import (
    IngestMetrics,
    api_registry,
    event_lag,
    serve_api_metrics,
    serve_ingest_metrics,
)
from cloud.settings import CloudSettings
from contracts.codec import encode
from contracts.messages import NodeState
from contracts.topics import event_topic, state_topic
from smartstore.broker import free_port
from tests.cloud.factories import GTINS, envelope, message, sale_data, setup_store
from tests.support.services import MosquittoProcess

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def stock(lane: str, count: int, state: str) -> dict[str, object]:
    return {
        "lane": lane,
        "sku": "SKU-0",
        "gtin": GTINS[0],
        "count": count,
        "grams": str(count * 100),
        "state": state,
    }


def test_cloud_metrics_endpoint_shows_fleet_and_ingest_figures(
    cloud_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    pipe = Pipeline(session_factory)
    batch = [Inbound(*message(envelope("sale", sale_data(f"S-{i}"), seq=i + 1))) for i in range(4)]
    batch += [
        Inbound(*message(envelope("stock", stock("a1", 0, "out"), seq=1, node="shelf-1"))),
        Inbound(*message(envelope("stock", stock("a2", 2, "low"), seq=2, node="shelf-1"))),
        Inbound(*message(envelope("stock", stock("a3", 9, "ok"), seq=3, node="shelf-1"))),
        Inbound("smartstore/v1/demo/kiosk-1/evt/sale", b"\xff not json"),
        Inbound(
            state_topic("demo", "kiosk-2"), encode(NodeState(online=True, boot=3, outbox_depth=42))
        ),
    ]
    pipe.process(batch)
    token = "prometheus-scrape-token-0123456789"
    app = create_app(
        CloudSettings(database_url=str(cloud_engine.url), metrics_token=token),
        engine=cloud_engine,
        hasher=make_hasher(fast=True),
    )
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert client.get("/metrics", headers=wrong).status_code == 401
        res = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/plain")
    m = parse(res.text)
    assert m[("smartstore_metrics_db_up", ())] == 1
    assert m[("smartstore_events_processed_total", (("type", "sale"),))] == 4
    assert m[("smartstore_events_processed_total", (("type", "stock"),))] == 3
    assert 0 <= m[("smartstore_ingest_idle_seconds", ())] < 3600
    assert m[("smartstore_dead_letters", (("status", "new"),))] == 1
    assert m[("smartstore_devices", (("state", "online"), ("store", "demo")))] >= 1
    assert m[("smartstore_device_outbox_depth", (("node", "kiosk-2"), ("store", "demo")))] == 42
    for state in ("ok", "low", "out"):
        assert m[("smartstore_lanes", (("state", state), ("store", "demo")))] == 1
    assert "/metrics" not in app.openapi()["paths"]


def test_cloud_metrics_need_a_token_or_a_separate_address(cloud_engine: Engine) -> None:
    """No token set: /metrics is not on the API at all; ``serve_api_metrics`` serves the same
    figures on a listen address of its own (``cloud serve --metrics-port``)."""
    app = create_app(
        CloudSettings(database_url=str(cloud_engine.url)),
        engine=cloud_engine,
        hasher=make_hasher(fast=True),
    )
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 404
    port = free_port()
    server, thread = serve_api_metrics(cloud_engine, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as res:
            m = parse(res.read().decode())
    finally:
        server.shutdown()
        thread.join(5)
    assert m[("smartstore_metrics_db_up", ())] == 1


def test_cloud_metrics_say_when_the_database_is_down() -> None:
    """An unreachable database is a figure (db_up 0), not a 500 that hides every other."""
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    registry = api_registry(engine)
    m = parse(generate_latest(registry).decode())
    engine.dispose()
    assert m[("smartstore_metrics_db_up", ())] == 0
    assert not any(name == "smartstore_devices" for name, _ in m)


def test_event_lag_reads_the_decoded_event_and_never_parses_again() -> None:
    now = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)
    env = envelope("sale", sale_data(), seq=1, ts=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    good = inspect(Inbound(*message(env)), now=now)
    assert good.decoded is not None
    assert event_lag(good, now) == 5.0
    nested = b"[" * 1000 + b"]" * 1000  # used to kill the apply thread from this very code
    for junk in (b"", b"[]", b'{"ts": 5}', nested):
        checked = inspect(Inbound(event_topic("demo", "kiosk-1", "sale"), junk), now=now)
        assert checked.rejection
        assert event_lag(checked, now) is None


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.mosquitto
def test_ingest_worker_serves_rate_lag_and_dead_letters(
    mosquitto_broker: MosquittoProcess, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    settings = CloudSettings(mqtt_url=mosquitto_broker.url, device_timeout_s=3600)
    worker = IngestWorker(settings, session_factory, batch_size=16)
    metrics = IngestMetrics()
    metrics.instrument(worker)
    port = free_port()
    server, thread = serve_ingest_metrics(metrics, port)
    worker.start()
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    pub.connect(mosquitto_broker.host, mosquitto_broker.port)
    pub.loop_start()
    try:
        assert worker.wait_connected(10)
        now = datetime.now(UTC)
        for i in range(30):
            pub.publish(*message(envelope("sale", sale_data(f"L-{i}"), seq=i + 1, ts=now)), qos=1)
        pub.publish("smartstore/v1/demo/kiosk-1/evt/sale", b"{oops", qos=1).wait_for_publish(5)
        wait_for(lambda: worker.pipeline.applied + worker.pipeline.dead_lettered >= 31)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as res:
            m = parse(res.read().decode())
    finally:
        pub.disconnect()
        pub.loop_stop()
        worker.stop()
        server.shutdown()
        thread.join(5)
    assert m[("smartstore_ingest_events_total", (("result", "applied"),))] == 30
    assert m[("smartstore_ingest_events_total", (("result", "dead_letter"),))] == 1
    assert m[("smartstore_ingest_batch_seconds_count", ())] >= 1
    assert m[("smartstore_ingest_lag_seconds_count", ())] >= 1
    assert 0 <= m[("smartstore_ingest_lag_seconds_sum", ())] < 120
    assert m[("smartstore_ingest_queue", ())] == 0
