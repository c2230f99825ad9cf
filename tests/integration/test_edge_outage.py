"""Acceptance: broker down for part of a run; the backlog arrives, live events overtake it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from tests.integration.edge_consumer import Consumer, wait_for
from tests.support.services import MosquittoProcess, mosquitto

BACKLOG = 600
REPLAY_RATE = 200.0  # the backlog needs >= 3 s, so a live event sent at once must overtake it


@pytest.fixture
def persistent_mosquitto(tmp_path: Path) -> Iterator[MosquittoProcess]:
    """Mosquitto that keeps sessions and queues across a restart (like a production broker)."""
    store = Path(tempfile.mkdtemp(prefix="mosq-"))
    store.chmod(0o777)  # mosquitto drops root privileges to its own user
    extra = f"persistence true\npersistence_location {store}/\n"
    try:
        with mosquitto(tmp_path, extra_conf=extra) as broker:
            yield broker
    finally:
        shutil.rmtree(store, ignore_errors=True)


def fault(n: int) -> dict[str, str]:
    return {"code": "test", "component": "outage", "message": f"event {n}"}


@pytest.mark.mosquitto
@pytest.mark.slow
def test_events_accepted_offline_arrive_later_and_live_overtakes_backlog(
    persistent_mosquitto: MosquittoProcess, tmp_path: Path
) -> None:
    broker = persistent_mosquitto
    consumer = Consumer(broker.host, broker.port, persistent=True).start()
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=REPLAY_RATE, inflight=16)
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    mqtt = MqttSettings(url=broker.url, backoff_min=0.05, backoff_max=0.3)
    link = Link(mqtt, NodeIdentity(store="demo", node="kiosk-1"), outbox, kind="kiosk")
    link.start()
    try:
        wait_for(lambda: link.connected, 10, "link connected")
        for n in range(50):
            outbox.emit("fault", fault(n))
        wait_for(lambda: consumer.max_seq() == 50, 10, "the first 50 events")
        wait_for(lambda: outbox.depth() == 0, 10, "the first 50 acked by the consumer")

        broker.stop()
        wait_for(lambda: not link.connected, 10, "link noticing the outage")
        envelopes = outbox.emit_many([("fault", fault(n)) for n in range(BACKLOG)])
        assert outbox.depth() == BACKLOG  # accepted locally while the broker is down

        broker.start()
        wait_for(lambda: link.connected, 15, "link reconnected")
        live = outbox.emit(
            "stock",
            {
                "lane": "a1",
                "sku": "s1",
                "gtin": "0" * 14,
                "count": 3,
                "grams": "120",
                "state": "ok",
            },
        )
        last = 50 + BACKLOG + 1
        wait_for(lambda: len(consumer.seqs()) == last, 30, "every event after recovery")
        wait_for(lambda: outbox.depth() == 0, 30, "every event acked")
    finally:
        link.stop()
        outbox.close()
        consumer.stop()

    assert consumer.seqs() == set(range(1, last + 1))
    order = [seq for seq, _ in consumer.arrivals]
    flags: dict[int, bool] = {}
    for seq, historical in consumer.arrivals:
        flags.setdefault(seq, historical)  # a copy re-sent later is always historical
    backlog_seqs = [e.seq for e in envelopes]
    assert order.index(live.seq) < order.index(backlog_seqs[-1]), "live event stuck behind backlog"
    assert flags[live.seq] is False
    assert all(flags[s] for s in backlog_seqs), "replayed backlog must be flagged historical"
    assert link.drainer.counters["historical"] >= BACKLOG
