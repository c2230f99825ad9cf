"""``ingest_lean_decode``: the operator's way back to paho's own PUBLISH decoder (decision 0260).

Each worker sets the process's decoder as its settings say, and applies sales either way."""

from __future__ import annotations

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt import _packet
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest import paho_fast
from cloud.ingest.worker import IngestWorker
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from tests.cloud.factories import envelope, message, sale_data, setup_store
from tests.cloud.ingest.test_worker import count, publish, publisher, wait_for
from tests.support.services import MosquittoProcess

pytestmark = pytest.mark.mosquitto
__all__ = ["publisher"]  # the fixture


@pytest.mark.parametrize("lean", [False, True])
def test_the_switch_sets_the_decoder_and_sales_are_applied_either_way(
    lean: bool,
    mosquitto_broker: MosquittoProcess,
    session_factory: sessionmaker[Session],
    publisher: mqtt.Client,
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    settings = CloudSettings(
        mqtt_url=mosquitto_broker.url, device_timeout_s=3600, ingest_lean_decode=lean
    )
    worker = IngestWorker(settings, session_factory)
    worker.start()
    try:
        assert worker.wait_connected(10)  # subscribed: sales published from now on reach it
        assert paho_fast.installed() is lean
        assert (_packet.decode_publish.__module__ == paho_fast.__name__) is lean
        for i in range(5):
            publish(publisher, *message(envelope("sale", sale_data(f"L-{i}"), seq=i + 1)))
        wait_for(lambda: count(session_factory, Sale) == 5)
    finally:
        worker.stop()
