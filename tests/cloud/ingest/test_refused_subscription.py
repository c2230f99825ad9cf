"""A broker that refuses ingest's event subscription ends the worker: not a deaf one that
looks connected (Mosquitto from config/ with the dynamic-security roles `smartstore device`
writes; the worker given a node's credentials, as a mistaken deployment would)."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.ingest.exceptions import SubscriptionRefusedError
from cloud.ingest.worker import IngestWorker
from cloud.settings import CloudSettings
from tests.cloud.fleet.broker import secure_broker

pytestmark = pytest.mark.mosquitto


def test_a_refused_event_subscription_is_fatal(session_factory: sessionmaker[Session]) -> None:
    with secure_broker() as broker:
        node = broker.fleet.provision("demo", "kiosk-1")
        user, password = quote(node.username, safe=""), quote(node.password, safe="")
        url = f"mqtt://{user}:{password}@{broker.host}:{broker.port}"
        settings = CloudSettings(mqtt_url=url, mqtt_client_id=node.client_id)
        fatal: list[BaseException] = []
        worker = IngestWorker(settings, session_factory, on_fatal=fatal.append)
        worker.start(connect_timeout=5)
        try:
            deadline = time.monotonic() + 10
            while not fatal and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not worker.wait_connected(0.1)  # never reported ready
        finally:
            worker.stop()
    assert len(fatal) == 1, fatal
    assert isinstance(fatal[0], SubscriptionRefusedError), fatal
    assert "Not authorized" in str(fatal[0]), fatal[0]
