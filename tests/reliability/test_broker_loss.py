"""A broker that loses its disk and a worker that never returns lose no sale (SPEC §4).

Real parts throughout: a private Mosquitto with persistence on (autosaving every second),
four kiosk nodes on the real ``edge.outbox.Outbox`` + ``edge.link.Link`` emitting 5,000
sales, two ``smartstore cloud ingest`` worker processes (named, short-expiry sessions, one
shared subscription) on a fresh PostgreSQL database. Mid-run, worker 2 is killed with
SIGKILL and never restarted; a few seconds later the broker is killed with SIGKILL, its
persistence file deleted (queued messages, sessions and retained states gone), and it is
started again on the same port. The nodes keep every sale until the cloud's end-to-end
ack covers it and re-send what stays unacked, so every sale is applied exactly once.
Figures: docs/RELIABILITY.md ("Broker disk loss").
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.devices import service as devices
from cloud.ingest.models import DeadLetter, ProcessedEvent
from cloud.sales.models import Sale
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from tests.cloud.factories import sale_data, setup_store
from tests.support.services import MosquittoProcess, mosquitto, postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.postgres]
log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
NODES = ("kiosk-1", "kiosk-2", "kiosk-3", "kiosk-4")
SALES = int(os.environ.get("BROKER_LOSS_SALES", "5000"))
EMIT_SECONDS = 20.0
KILL_WORKER_AT = 6.0
KILL_BROKER_AT = 11.0
DRAIN_TIMEOUT_S = 150.0


@dataclass
class Node:
    """One kiosk: its outbox, its link, and the thread emitting its share of the sales."""

    name: str
    outbox: Outbox
    link: Link
    count: int
    emitted: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def emit_all(self, started: float) -> None:
        for i in range(self.count):
            sale_id = f"{self.name}-{i:05d}"
            self.outbox.emit("sale", sale_data(sale_id, n_lines=3))
            self.emitted.append(sale_id)
            ahead = started + EMIT_SECONDS * (i + 1) / self.count - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)


def _node(tmp: Path, broker: MosquittoProcess, name: str, count: int) -> Node:
    settings = OutboxSettings(
        path=tmp / f"{name}.sqlite3",
        sync="normal",  # 4 nodes on one disk; durability across kill -9 is not the subject
        replay_rate=2000.0,
        ack_timeout=2.0,
        ack_timeout_min=1.0,
        ack_timeout_max=4.0,  # sized for the test: production caps the backoff at 60 s
    )
    outbox = Outbox.open(settings.path, "demo", name, settings)
    mqtt_settings = MqttSettings(url=broker.url, backoff_min=0.1, backoff_max=1.0)
    identity = NodeIdentity(store="demo", node=name)
    link = Link(mqtt_settings, identity, outbox, kind="kiosk", outbox_settings=settings)
    return Node(name, outbox, link, count)


def _start_worker(
    tmp: Path, broker: MosquittoProcess, db_url: str, i: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SMARTSTORE_DATABASE_URL": db_url,
        "SMARTSTORE_MQTT_URL": broker.url,
        "SMARTSTORE_MQTT_CLIENT_ID": f"loss-ingest-{i}",
        "SMARTSTORE_DEVICE_TIMEOUT_S": "3600",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "smartstore", "cloud", "ingest"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / f"worker-{i}.log").open("ab"),
    )


def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s: {what}")


def _connections(tmp: Path, i: int) -> int:
    return (tmp / f"worker-{i}.log").read_text(errors="replace").count("ingest connected")


def _at_risk(nodes: list[Node]) -> int:
    """Rows the broker has PUBACKed that the cloud has not acked: what a PUBACK-trusting
    node would have forgotten, and a broker losing its disk would lose."""
    total = 0
    for node in nodes:
        with node.outbox._reader_lock:
            (n,) = node.outbox._reader.execute(
                "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND acked_at IS NULL"
            ).fetchone()
        total += int(n)
    return total


def _sales(factory: sessionmaker[Session]) -> tuple[int, set[str]]:
    with factory() as s:
        ids = set(s.scalars(select(Sale.sale_id)))
        return int(s.scalar(select(func.count()).select_from(Sale)) or 0), ids


@pytest.fixture
def cloud_db() -> Iterator[tuple[str, sessionmaker[Session]]]:
    with postgres_database("smartstore_loss") as url:
        engine = make_engine(url)
        load_models().create_all(engine)
        factory = make_sessionmaker(engine)
        with transaction(factory) as s:
            setup_store(s)
            for name in NODES:
                if name not in ("kiosk-1", "kiosk-2"):
                    devices.register_device(s, "demo", name, "kiosk")
        yield url, factory
        engine.dispose()


def _kill_broker_and_its_disk(broker: MosquittoProcess, persist: Path) -> int:
    """SIGKILL Mosquitto, delete its persistence file, start it again; the file's size."""
    assert broker.proc is not None
    broker.proc.kill()
    broker.proc.wait(10)
    broker.proc = None
    db_file = persist / "mosquitto.db"
    size = db_file.stat().st_size if db_file.exists() else 0
    db_file.unlink(missing_ok=True)
    broker.start()
    return size


def test_broker_disk_loss_and_a_dead_worker_lose_no_sale(
    tmp_path: Path, cloud_db: tuple[str, sessionmaker[Session]], request: pytest.FixtureRequest
) -> None:
    db_url, factory = cloud_db
    # Mosquitto drops root privileges to its own user before saving, and pytest's tmp_path
    # is private to us: its database goes in a directory of its own under the system's tmp
    persist = Path(tempfile.mkdtemp(prefix="smartstore-mosquitto-"))
    persist.chmod(0o777)
    request.addfinalizer(lambda: shutil.rmtree(persist, ignore_errors=True))
    extra = f"persistence true\npersistence_location {persist}/\nautosave_interval 1\n"
    with mosquitto(tmp_path, extra) as broker:
        workers = {i: _start_worker(tmp_path, broker, db_url, i) for i in (1, 2)}
        try:
            _wait(lambda: all(_connections(tmp_path, i) >= 1 for i in (1, 2)), 60, "workers up")
            nodes = [_node(tmp_path, broker, n, SALES // len(NODES)) for n in NODES]
            figures = _run(tmp_path, broker, persist, workers, nodes, factory)
        finally:
            for proc in workers.values():
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(15)
    print("broker-loss figures:", figures)
    count, ids = _sales(factory)
    emitted = {sale for node in nodes for sale in node.emitted}
    assert len(emitted) == SALES
    assert count == SALES, figures  # none lost, none doubled
    assert ids == emitted
    with factory() as s:
        keys = s.execute(
            select(
                ProcessedEvent.node,
                func.count(),
                func.min(ProcessedEvent.seq),
                func.max(ProcessedEvent.seq),
            ).group_by(ProcessedEvent.node)
        ).all()
        letters = int(s.scalar(select(func.count()).select_from(DeadLetter)) or 0)
    per_node = SALES // len(NODES)
    assert sorted(keys) == [(n, per_node, 1, per_node) for n in NODES]
    assert letters == 0
    assert figures["persistence_file_bytes"] > 0, figures  # a real file was deleted
    assert figures["at_risk_when_broker_killed"] > 0, figures  # the fault really bit
    assert figures["resent"] > 0, figures


def _run(
    tmp: Path,
    broker: MosquittoProcess,
    persist: Path,
    workers: dict[int, subprocess.Popen[bytes]],
    nodes: list[Node],
    factory: sessionmaker[Session],
) -> dict[str, float]:
    figures: dict[str, float] = {}
    for node in nodes:
        node.link.start()
    started = time.monotonic()
    for node in nodes:
        node.thread = threading.Thread(target=node.emit_all, args=(started,), daemon=True)
        node.thread.start()
    try:
        time.sleep(max(0.0, started + KILL_WORKER_AT - time.monotonic()))
        workers[2].kill()  # SIGKILL, and never started again
        workers[2].wait(10)
        time.sleep(max(0.0, started + KILL_BROKER_AT - time.monotonic()))
        figures["at_risk_when_broker_killed"] = _at_risk(nodes)
        figures["persistence_file_bytes"] = _kill_broker_and_its_disk(broker, persist)
        restarted = time.monotonic()
        for node in nodes:
            assert node.thread is not None
            node.thread.join(EMIT_SECONDS * 4)
        figures["emit_s"] = round(time.monotonic() - started, 1)
        _wait(lambda: all(n.outbox.depth() == 0 for n in nodes), DRAIN_TIMEOUT_S, "all acked")
        _wait(lambda: _sales(factory)[0] >= SALES, 30, "every sale applied")
        figures["drained_after_broker_restart_s"] = round(time.monotonic() - restarted, 1)
        figures["resent"] = sum(n.link.drainer.counters["resent"] for n in nodes)
        figures["published"] = sum(n.link.drainer.counters["published"] for n in nodes)
        figures["worker_1_connections"] = _connections(tmp, 1)
        assert workers[2].poll() is not None  # still dead
    finally:
        for node in nodes:
            node.link.stop()
            node.outbox.close()
    return figures
