"""Shared fixtures: real brokers and databases (see tests/support/services.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from smartstore.broker import EmbeddedBroker
from tests.support.services import MosquittoProcess, embedded_broker, mosquitto, postgres_database

# Property tests check properties, not speed (benchmarks do): on a loaded 2-core CI machine
# hypothesis' 200 ms deadline and "too slow" health check failed correct code.
settings.register_profile("smartstore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("smartstore")


@pytest.fixture
def mosquitto_broker(tmp_path: Path) -> Iterator[MosquittoProcess]:
    """A private Mosquitto (project-style config: tcp_nodelay, big queues) on a free port."""
    with mosquitto(tmp_path) as broker:
        yield broker


@pytest.fixture
def amqtt_broker() -> Iterator[EmbeddedBroker]:
    """The embedded pure-Python broker (MQTT 3.1.1 only) on a free port."""
    with embedded_broker() as broker:
        yield broker


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the session, dropped at the end."""
    with postgres_database() as url:
        yield url
