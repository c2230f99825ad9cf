"""Defaults that connect: each broker `smartstore broker` can run (amqtt, Mosquitto) with an
edge node and the cloud ingest, all three on default settings (``protocol: auto``), and an
event from the node is applied. Against amqtt each client falls back to MQTT 3.1.1 and says
so in one log line; against Mosquitto they stay on MQTT 5 and say nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.ingest.worker import IngestWorker
from cloud.settings import CloudSettings
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from smartstore.broker import EmbeddedBroker, free_port
from smartstore.mosquitto import MosquittoBroker, pick_engine
from tests.cloud.factories import setup_store
from tests.integration.edge_consumer import wait_for
from tests.support.services import unavailable

FALLBACK = "does not speak MQTT 5"


@pytest.fixture(params=["amqtt", "mosquitto"])
def broker(request: pytest.FixtureRequest) -> Iterator[EmbeddedBroker | MosquittoBroker]:
    """The broker `smartstore broker --engine <param>` runs, on a free port."""
    if request.param == "mosquitto":
        try:
            pick_engine("mosquitto")
        except RuntimeError as exc:
            unavailable(str(exc))
        b: EmbeddedBroker | MosquittoBroker = MosquittoBroker("127.0.0.1", free_port())
    else:
        b = EmbeddedBroker("127.0.0.1", free_port())
    b.start()
    try:
        yield b
    finally:
        b.stop()


def cloud_db(tmp_path: Path) -> tuple[str, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    engine = make_engine(url)
    load_models().create_all(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as s:
        setup_store(s)
    return url, factory


def test_node_and_ingest_on_defaults_connect_through_each_broker(
    broker: EmbeddedBroker | MosquittoBroker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url, factory = cloud_db(tmp_path)
    settings = CloudSettings(database_url=url, mqtt_url=broker.url)  # defaults otherwise
    assert settings.mqtt_protocol == "auto"
    worker = IngestWorker(settings, factory, batch_size=16)
    outbox = Outbox.open(tmp_path / "node.sqlite3", "demo", "kiosk-1", OutboxSettings())
    mqtt_settings = MqttSettings(url=broker.url)  # defaults otherwise
    assert mqtt_settings.protocol == "auto"
    link = Link(mqtt_settings, NodeIdentity(store="demo", node="kiosk-1"), outbox, kind="kiosk")
    worker.start()
    link.start()
    try:
        assert worker.wait_connected(10), "ingest never connected"
        wait_for(lambda: link.connected, 15, "node connected")
        outbox.emit("fault", {"code": "paper_out", "component": "printer", "message": "empty"})
        wait_for(lambda: worker.pipeline.applied >= 1, 15, "event applied")
        wait_for(lambda: outbox.depth() == 0, 15, "outbox drained")
    finally:
        link.stop()
        worker.stop()
        outbox.close()
    with factory() as s:
        alert = s.scalars(select(Alert).where(Alert.type == "device_fault")).one()
    assert alert.source.startswith("kiosk-1")
    fallbacks = [r for r in caplog.records if FALLBACK in r.getMessage()]
    if isinstance(broker, EmbeddedBroker):
        assert (link.protocol, worker.settings.mqtt_protocol) == ("3.1.1", "3.1.1")
        assert worker.settings.ingest_shared is False
        assert len(fallbacks) == 2, [r.getMessage() for r in fallbacks]  # node, ingest: once each
        assert {r.name for r in fallbacks} == {"edge.link", "cloud.mqtt"}
    else:
        assert (link.protocol, worker.settings.mqtt_protocol) == ("5", "5")
        assert worker.settings.ingest_shared is True
        assert fallbacks == []
