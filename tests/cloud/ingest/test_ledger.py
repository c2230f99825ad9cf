"""The delivery ledger: a message a process died on is counted across restarts."""

from __future__ import annotations

import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest.ledger import DeliveryLedger
from cloud.ingest.models import DeadLetter, DeliveryFloor
from cloud.ingest.worker import IngestWorker
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from contracts.strict import payload_digest
from tests.cloud.factories import envelope, message, sale_data, setup_store
from tests.support.services import MosquittoProcess

POISON = payload_digest(b"[[[[")
GOOD = payload_digest(b"{}")


def test_a_message_that_killed_two_processes_is_poison_on_the_third(tmp_path: Path) -> None:
    path = tmp_path / "ingest.ledger"
    for crash in (1, 2):
        ledger = DeliveryLedger(path)
        ledger.mark([POISON, GOOD])  # a batch enters the apply section ...
        ledger.done([GOOD])  # ... the good one was committed and acked ...
        ledger.close()  # ... and the process dies with the other in hand
        assert DeliveryLedger(path).count(POISON) == crash
    third = DeliveryLedger(path)
    assert third.is_poison(POISON)
    assert not third.is_suspect(GOOD)
    third.done([POISON])  # dead-lettered and acked: forgotten
    third.close()
    assert DeliveryLedger(path).count(POISON) == 0


def test_leaving_the_dangerous_section_is_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "ingest.ledger"
    ledger = DeliveryLedger(path)
    ledger.mark([POISON])
    ledger.unmark([POISON])  # decoded without dying
    ledger.close()
    assert DeliveryLedger(path).count(POISON) == 0
    with path.open("a") as f:
        f.write("+" + POISON[:10])  # a torn last line is ignored
    assert DeliveryLedger(path).count(POISON) == 0


@pytest.mark.mosquitto
def test_worker_dead_letters_a_twice_fatal_message_without_parsing_it(
    mosquitto_broker: MosquittoProcess, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    topic, poison = message(envelope("sale", sale_data("P-1"), seq=1))
    path = tmp_path / "ingest.ledger"
    path.write_text(f"c{payload_digest(poison)} 2\n")  # two processes died holding it
    settings = CloudSettings(
        mqtt_url=mosquitto_broker.url, device_timeout_s=3600, ingest_ledger_path=path
    )
    fatal: list[BaseException] = []
    worker = IngestWorker(settings, session_factory, on_fatal=fatal.append)
    worker.start()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    try:
        assert worker.wait_connected(10)
        time.sleep(0.3)
        client.publish(topic, poison, qos=1).wait_for_publish(5)
        good = message(envelope("sale", sale_data("G-1"), seq=2))
        client.publish(*good, qos=1).wait_for_publish(5)
        deadline = time.monotonic() + 20
        while worker.acked < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
        worker.stop()
    assert fatal == []
    with session_factory() as s:
        letters = s.scalars(select(DeadLetter)).all()
        assert [sale for sale in s.scalars(select(Sale.sale_id))] == ["G-1"]
        floor = s.get(DeliveryFloor, ("demo", "kiosk-1"))
    # whose event it was, read without parsing: the ack floor passes it (SPEC §4)
    assert [(x.store, x.node, x.boot, x.seq) for x in letters] == [("demo", "kiosk-1", 1, 1)]
    assert floor is not None
    assert (floor.boot, floor.seq) == (1, 2)
    assert len(letters) == 1
    assert letters[0].reason == "killed the ingest worker 2 times; not parsed again"
    assert DeliveryLedger(path).count(payload_digest(poison)) == 0  # acked: forgotten
