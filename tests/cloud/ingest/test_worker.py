"""Ingest workers against a real Mosquitto (MQTT 5 shared subscription) and both databases."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.devices import service as devices
from cloud.devices.models import Device
from cloud.finance.models import RevenueEntry
from cloud.ingest import service as ingest_service
from cloud.ingest.models import DeadLetter
from cloud.ingest.worker import IngestWorker
from cloud.inventory.models import Movement
from cloud.members.models import PointsEntry
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.codec import decode_model, encode
from contracts.messages import CloudState, NodeState
from contracts.topics import CLOUD_STATE_TOPIC, state_topic
from tests.cloud.factories import envelope, message, sale_data, setup_store
from tests.support.services import MosquittoProcess

pytestmark = pytest.mark.mosquitto


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def publisher(mosquitto_broker: MosquittoProcess) -> Iterator[mqtt.Client]:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def workers(
    mosquitto_broker: MosquittoProcess, session_factory: sessionmaker[Session]
) -> Iterator[list[IngestWorker]]:
    with transaction(session_factory) as s:
        setup_store(s)
    settings = CloudSettings(mqtt_url=mosquitto_broker.url, device_timeout_s=3600)
    started = [IngestWorker(settings, session_factory, batch_size=64) for _ in range(2)]
    for w in started:
        w.start()
        assert w.wait_connected(10)
    yield started
    for w in started:
        w.stop()


def publish(client: mqtt.Client, topic: str, payload: bytes, retain: bool = False) -> None:
    client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)


def test_sale_delivered_three_times_through_two_workers_lands_once(
    workers: list[IngestWorker],
    publisher: mqtt.Client,
    session_factory: sessionmaker[Session],
) -> None:
    env = envelope("sale", sale_data("S-dup", member={"phone": "13800000001"}), seq=7)
    topic, raw = message(env)
    for _ in range(3):
        publish(publisher, topic, raw)
    # a marker after the copies, so we know all copies were handled
    marker_topic, marker = message(envelope("sale", sale_data("S-marker"), seq=8))
    publish(publisher, marker_topic, marker)
    wait_for(lambda: sum(w.acked for w in workers) >= 4)
    wait_for(lambda: count(session_factory, Sale) == 2)
    with session_factory() as s:
        sale = s.scalars(select(Sale).where(Sale.sale_id == "S-dup")).one()
        assert sale.member_id is not None
        moves = s.scalar(
            select(func.count()).select_from(Movement).where(Movement.reference == "S-dup")
        )
        assert moves == 5
        points = s.scalars(select(PointsEntry).where(PointsEntry.sale_id == "S-dup")).all()
        assert len(points) == 1
        revenue = s.scalar(
            select(func.count()).select_from(RevenueEntry).where(RevenueEntry.sale_pk == sale.id)
        )
        assert revenue == 1
    assert count(session_factory, DeadLetter) == 0
    # the shared subscription spread the four deliveries over both workers
    assert all(w.acked > 0 for w in workers)
    assert sum(w.pipeline.applied for w in workers) == 2


def test_dead_letters_then_replay_after_fixing(
    workers: list[IngestWorker],
    publisher: mqtt.Client,
    session_factory: sessionmaker[Session],
) -> None:
    topic, raw = message(envelope("sale", sale_data("S-1"), seq=1))
    publish(publisher, topic, b'{"event_id": "oops"')  # malformed JSON
    wrong_node_topic = topic.replace("kiosk-1", "kiosk-2")
    publish(publisher, wrong_node_topic, raw)  # envelope says kiosk-1, topic kiosk-2
    new_node = envelope("sale", sale_data("S-9"), seq=1, node="kiosk-9")  # not registered
    publish(publisher, *message(new_node))
    publish(publisher, *message(envelope("sale", sale_data("S-2"), seq=2)))  # keeps going
    wait_for(lambda: count(session_factory, DeadLetter) == 3 and count(session_factory, Sale) == 1)

    with transaction(session_factory) as s:
        letters = {d.topic: d for d in ingest_service.list_dead_letters(s)}
        assert len(letters) == 3
        # fix 1: register the unknown device, then replay as is
        devices.register_device(s, "demo", "kiosk-9", "kiosk")
    now = datetime.now(UTC)
    with transaction(session_factory) as s:
        unknown = next(d for d in letters.values() if "unknown device" in d.reason)
        assert ingest_service.replay_dead_letter(s, unknown.id, now).applied
        # fix 2: the mismatched one, corrected to the topic its envelope names
        mismatched = letters[wrong_node_topic]
        result = ingest_service.replay_dead_letter(s, mismatched.id, now, topic=topic)
        assert result.ok
        assert result.applied
        # the malformed one stays rejected, with one more attempt recorded
        malformed = next(d for d in letters.values() if "JSON" in d.reason)
        again = ingest_service.replay_dead_letter(s, malformed.id, now)
        assert not again.ok
    with session_factory() as s:
        assert {x.sale_id for x in s.scalars(select(Sale))} == {"S-1", "S-2", "S-9"}
        statuses = sorted(d.status for d in s.scalars(select(DeadLetter)))
        assert statuses == ["failed", "replayed", "replayed"]


def test_device_state_is_boot_aware_and_cloud_state_is_retained(
    workers: list[IngestWorker],
    publisher: mqtt.Client,
    session_factory: sessionmaker[Session],
    mosquitto_broker: MosquittoProcess,
) -> None:
    topic = state_topic("demo", "kiosk-1")
    publish(publisher, topic, encode(NodeState(online=True, boot=5, software_version="1.2")), True)
    publish(publisher, topic, encode(NodeState(online=False, boot=4)), True)  # late old will

    def device() -> Device:
        with session_factory() as s:
            return devices.get_device(s, "demo", "kiosk-1")

    wait_for(lambda: device().boot == 5 and device().online)
    # a third message proves the stale one has been handled (same topic, order kept)
    publish(publisher, topic, encode(NodeState(online=True, boot=5, outbox_depth=3)), True)
    wait_for(lambda: device().outbox_depth == 3)
    assert device().online
    assert device().software_version == "1.2"

    got: list[bytes] = []
    probe = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    probe.on_message = lambda _c, _u, m: got.append(m.payload)
    probe.connect(mosquitto_broker.host, mosquitto_broker.port)
    probe.subscribe(CLOUD_STATE_TOPIC, qos=1)
    probe.loop_start()
    try:
        wait_for(lambda: bool(got))
        assert decode_model(CloudState, got[-1]).online
        workers[0].stop()  # one leaves and says offline; the other answers online
        wait_for(lambda: len(got) >= 3)
        assert decode_model(CloudState, got[-1]).online
    finally:
        probe.disconnect()
        probe.loop_stop()
