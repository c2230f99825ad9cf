"""The worker's batched PUBACKs reach the broker: after a worker with a persistent session
has committed and acknowledged a burst (sales and a malformed message), resuming that
session redelivers none of it, only what was published afterwards. And a burst interleaved
with bad messages still commits every good one, in order, with the bad ones dead-lettered.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest.models import DeadLetter
from cloud.ingest.worker import IngestWorker
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.topics import CLOUD_STATE_TOPIC, event_topic
from tests.cloud.factories import envelope, message, sale_data, setup_store
from tests.cloud.ingest.test_worker import count, publish, wait_for
from tests.support.services import MosquittoProcess

pytestmark = pytest.mark.mosquitto


@pytest.fixture
def publisher(mosquitto_broker: MosquittoProcess) -> Iterator[mqtt.Client]:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(200)
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def _resume_and_collect(broker: MosquittoProcess, client_id: str, marker: str) -> list[str]:
    """Resume ``client_id``'s session; the event payloads received up to ``marker``."""
    got: list[str] = []
    done = threading.Event()
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )

    def on_message(client: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        client.ack(msg.mid, msg.qos)
        if "/evt/" in msg.topic:
            got.append(msg.payload.decode(errors="replace"))
            if marker in got[-1]:
                done.set()

    c.on_message = on_message
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    c.connect(broker.host, broker.port, clean_start=False, properties=props)
    c.loop_start()
    try:
        assert done.wait(20), f"marker not received; got {len(got)} message(s)"
    finally:
        c.disconnect()
        c.loop_stop()
    return got


def test_batched_acks_reach_the_broker(
    mosquitto_broker: MosquittoProcess,
    session_factory: sessionmaker[Session],
    publisher: mqtt.Client,
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    settings = CloudSettings(
        mqtt_url=mosquitto_broker.url, mqtt_client_id="ack-test", device_timeout_s=3600
    )
    worker = IngestWorker(settings, session_factory, batch_size=16)
    online = threading.Event()
    publisher.on_message = lambda _c, _u, msg: (
        online.set() if b'"online":true' in msg.payload else None
    )
    publisher.subscribe(CLOUD_STATE_TOPIC, qos=1)
    worker.start()
    try:
        assert worker.wait_connected(10)
        # The worker says online after subscribing, on the same connection, so once that
        # reaches us the broker routes events to it (else the first sale could go nowhere).
        assert online.wait(10)
        bad_topic = event_topic("demo", "kiosk-1", "sale")
        for i in range(60):
            if i % 20 == 7:
                publish(publisher, bad_topic, b'{"not": "an envelope"')
            else:
                publish(publisher, *message(envelope("sale", sale_data(f"A-{i}"), seq=i + 1)))
        wait_for(lambda: worker.acked >= 60, timeout=30)
        assert worker.pipeline.applied == 57
        assert worker.pipeline.dead_lettered == 3
        assert worker.batches >= 4  # 60 messages in batches of at most 16: several acks
    finally:
        worker.stop()
    assert count(session_factory, Sale) == 57
    assert count(session_factory, DeadLetter) == 3
    # The session lives on at the broker: publish a marker, resume, and nothing before it
    # comes back (an unacknowledged message would be redelivered first).
    publish(publisher, *message(envelope("sale", sale_data("MARKER-1"), seq=1000)))
    got = _resume_and_collect(mosquitto_broker, "ack-test", "MARKER-1")
    assert len(got) == 1
    assert "MARKER-1" in got[0]
