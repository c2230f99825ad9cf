"""The multi-worker ingest bench drains one shared subscription with worker processes: every
event applied exactly once, the queue split between the workers (real Mosquitto and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import ingest_workers
from bench.ingest import _messages, _publish, _register
from cloud.db.migrate import upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.sales.models import Sale, SaleLine
from cloud.settings import CloudSettings
from tests.cloud.factories import setup_store
from tests.support.services import mosquitto, postgres_database

pytestmark = pytest.mark.slow


def test_two_worker_processes_apply_every_event_once(tmp_path: Path) -> None:
    n = 300
    with postgres_database() as url, mosquitto(tmp_path) as broker:
        upgrade(url)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as s:
            setup_store(s)
        ids = ingest_workers.client_ids("t-ingest", 2)
        for cid in ids:
            _register(broker.host, broker.port, cid, "ingest")
        _publish(broker.host, broker.port, _messages(n))
        settings = CloudSettings(
            database_url=url, mqtt_url=broker.url, ingest_group="ingest", device_timeout_s=3600
        )
        calls = 0

        def server_cpu() -> float:
            nonlocal calls
            calls += 1
            return float(calls)

        drained = ingest_workers.drain(settings, ids, n, 64, server_cpu)
        with make_sessionmaker(engine)() as s:
            sales = s.scalar(select(func.count()).select_from(Sale))
            lines = s.scalar(select(func.count()).select_from(SaleLine))
        engine.dispose()
    assert (sales, lines) == (n, 5 * n)
    assert sum(drained.applied) == n
    assert min(drained.applied) > 0, f"the broker gave one worker nothing: {drained.applied}"
    assert drained.wall > 0
    assert drained.cpu > 0
    assert drained.server == 1.0  # read when released and when done, both while connected
