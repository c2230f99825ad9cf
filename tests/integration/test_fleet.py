"""``simulate fleet`` against a private Mosquitto and the real cloud ingest (issue 8).

The fleet registers its stores and devices through the cloud API first, then every event a
node wrote to its outbox must be applied exactly once: its (store, node, seq) among the
cloud's processed events, every sale in the sales table once, nothing dead-lettered. The
second test restarts Mosquitto (``persistence false``: retained states and sessions are
lost) in the middle of the run, the case where nodes reconnect before the ingest has
resubscribed and the broker acknowledges events nobody receives.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.db.session import make_engine
from cloud.ingest.models import ProcessedEvent
from simulators.cloud import LocalCloud
from simulators.cloudapi import CloudApi
from simulators.fleet import Fleet
from smartstore.broker import free_port
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.timeout(180)]
PASSWORD = "fleet-test-pass-1"
NO_PASSWORD: dict[str, str | None] = {"SMARTSTORE_DEMO_PASSWORD": None}  # unset for the run


@dataclass
class Cloud:
    local: LocalCloud
    admin: CloudApi
    db_url: str


@pytest.fixture
def cloud(tmp_path: Path, mosquitto_broker: MosquittoProcess) -> Iterator[Cloud]:
    url = f"sqlite:///{tmp_path}/cloud.sqlite3"
    local = LocalCloud(url, mosquitto_broker.url, port=free_port())
    local.prepare(PASSWORD)
    local.start_ingest()
    local.start_api()
    admin = CloudApi(local.url, "admin", PASSWORD)
    try:
        yield Cloud(local, admin, url)
    finally:
        admin.close()
        local.stop()


def poll(pred: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def wait_until(pred: Callable[[], bool], timeout: float, what: str) -> None:
    if not poll(pred, timeout):
        raise AssertionError(f"timed out waiting for {what}")


def processed(db_url: str) -> dict[tuple[str, str], list[int]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(ProcessedEvent.store, ProcessedEvent.node, ProcessedEvent.seq)
            ).all()
    finally:
        engine.dispose()
    out: dict[tuple[str, str], list[int]] = {}
    for store, node, seq in rows:
        out.setdefault((store, node), []).append(int(seq))
    return out


def written(fleet: Fleet) -> dict[tuple[str, str], int]:
    """Every node's last outbox seq: rows 1..last were written and must reach the cloud."""
    return {(n.identity.store, n.identity.node): n.outbox.last_seq for n in fleet.nodes}


def check_everything_applied_once(fleet: Fleet, cloud: Cloud) -> None:
    expected = written(fleet)
    seen = processed(cloud.db_url)
    for key, last in expected.items():
        missing = sorted(set(range(1, last + 1)) - set(seen.get(key, [])))
        assert not missing, f"{key}: {len(missing)} of {last} events lost, e.g. {missing[:10]}"
        assert sorted(seen[key]) == list(range(1, last + 1)), key
    assert set(seen) <= set(expected)
    sales = [s for i in range(1, fleet.stores + 1) for s in cloud.admin.sales(f"fleet-{i:03d}")]
    ids = [s["sale_id"] for s in sales]
    assert len(ids) == len(set(ids)) == fleet.mix["sale"]
    assert cloud.admin.dead_letters() == []


def drain(fleet: Fleet, cloud: Cloud, timeout: float) -> None:
    fleet.pause()
    total = sum(written(fleet).values())
    wait_until(lambda: fleet.depth() == 0, timeout, f"outboxes drained ({fleet.depth()} left)")
    # no assertion here: on a loss the check that follows names the missing seqs
    poll(lambda: sum(len(v) for v in processed(cloud.db_url).values()) >= total, timeout)


def test_registered_fleet_every_event_applied_once(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    fleet = Fleet(3, mosquitto_broker.url, tmp_path / "fleet", rate=80.0)
    assert fleet.register(cloud.admin) == (3, 9)
    assert fleet.register(cloud.admin) == (0, 0)  # idempotent: a rerun keeps the stores
    devices = cloud.admin.all_pages("/stores/fleet-002/devices")
    assert sorted(d["node"] for d in devices) == ["kiosk-1", "kiosk-2", "shelf-1"]
    fleet.start()
    try:
        wait_until(lambda: fleet.connected() == 9, 20, "every node connected")
        wait_until(lambda: fleet.emitted >= 200, 30, "200 events emitted")
        drain(fleet, cloud, 60)
        assert set(fleet.mix) == {"sale", "stock", "shelf_event", "fault"}
        check_everything_applied_once(fleet, cloud)
    finally:
        fleet.stop()


def restart(broker: MosquittoProcess, how: str) -> None:
    """``terminate``: Mosquitto sends its clients' wills as it shuts down (the ingest's says
    the cloud is offline). ``kill``: a crash, power cut or OOM kill, no will goes out."""
    if how == "kill":
        assert broker.proc is not None
        broker.proc.kill()
        broker.proc.wait(5)
        broker.proc = None
        broker.start()
    else:
        broker.restart()


@pytest.mark.parametrize("how", ["terminate", "kill"])
def test_broker_restart_without_persistence_loses_nothing(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path, how: str
) -> None:
    fleet = Fleet(2, mosquitto_broker.url, tmp_path / "fleet", rate=60.0)
    fleet.register(cloud.admin)
    fleet.start()
    try:
        wait_until(lambda: fleet.connected() == 6, 20, "every node connected")
        wait_until(lambda: fleet.emitted >= 100, 30, "100 events before the restart")
        before = fleet.emitted
        restart(mosquitto_broker, how)  # persistence false: retained _cloud/state is gone too
        wait_until(lambda: fleet.emitted >= before + 150, 30, "150 events after the restart")
        wait_until(lambda: fleet.connected() == 6, 30, "every node reconnected")
        drain(fleet, cloud, 60)
        check_everything_applied_once(fleet, cloud)
    finally:
        fleet.stop()


def test_cli_registers_then_simulates(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from simulators.cli import app

    args = ["fleet", "--stores", "2", "--mqtt-url", mosquitto_broker.url, "--rate", "40"]
    args += ["--duration", "1", "--data-dir", str(tmp_path / "fleet")]
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        refused = CliRunner().invoke(app, [*args, "--register"], env=NO_PASSWORD)
        assert refused.exit_code == 2
        assert "--register needs --api-url" in refused.output
        result = CliRunner().invoke(
            app, [*args, "--register", "--api-url", cloud.local.url, "--password", PASSWORD]
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert result.exit_code == 0, result.output
    assert "registered 2 new store(s), 6 new device(s)" in result.output
    assert re.search(
        r"emitted \d+ \(fault \d+, sale \d+, shelf_event \d+, stock \d+\)", result.output
    )
    assert poll(lambda: sum(len(v) for v in processed(cloud.db_url).values()) > 0, 20)
    assert cloud.admin.dead_letters() == []
