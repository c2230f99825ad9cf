"""Issue 22 acceptance: 20 nodes update 1.0.0 → 1.1.0 in rings; broken 1.2.0 halts at canary.

Twenty light kiosks (five stores of four; ``update_fleet.py`` says which parts are real) sell
throughout. 1.1.0 goes to the two canaries first, the others stay on 1.0.0 until the
rollout widens to ``all``. 1.2.0 loses the line that starts its link: on the canaries its
self-test never sees the broker, each canary switches back to 1.1.0 by itself and reports
why, the rollout halts at the canary ring and no other node ever downloads 1.2.0. Every sale
of every version (including those made by 1.2.0 during its trial, kept in the outbox outside
the version directories) reaches the cloud exactly once.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.devices import service as devices
from cloud.fleet.commands import CommandDispatcher
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from cloud.updates import service
from cloud.updates.build import public_key_text
from cloud.updates.driver import RolloutDriver
from tests.cloud.factories import setup_store
from tests.reliability import update_fleet as uf
from tests.support.services import MosquittoProcess, mosquitto, postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.postgres]

STORES = tuple(f"s{i:02d}" for i in range(1, 6))
NODES = ("kiosk-1", "kiosk-2", "kiosk-3", "kiosk-4")
CANARIES = (("s01", "kiosk-1"), ("s02", "kiosk-1"))
A, B, C = "1.0.0", "1.1.0", "1.2.0"


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[CloudSettings, sessionmaker[Session], object]]:
    with postgres_database("smartstore_updates") as url:
        engine = make_engine(url)
        load_models().create_all(engine)
        factory = make_sessionmaker(engine)
        with transaction(factory) as s:
            for store in STORES:
                setup_store(s, store)
                for node in NODES[2:]:
                    devices.register_device(s, store, node, "kiosk")
            for store, node in CANARIES:
                service.set_ring(s, store, node, "canary")
        yield CloudSettings(database_url=url, updates_dir=tmp_path / "updates"), factory, engine
        engine.dispose()


def _versions(factory: sessionmaker[Session]) -> dict[tuple[str, str], str | None]:
    with factory() as s:
        return {
            (store, d.node): d.software_version
            for store in STORES
            for d in devices.list_devices(s, store)
            if d.kind == "kiosk"
        }


def _rollout(factory: sessionmaker[Session], rid: int) -> tuple[str, str | None, dict[str, int]]:
    with factory() as s:
        r = service.get_rollout(s, rid)
        return r.status, r.halt_reason, service.progress(s, r)["statuses"]


def _start(factory: sessionmaker[Session], version: str, ring: str) -> int:
    with transaction(factory) as s:
        now = datetime.now(UTC)
        r = service.start_rollout(s, version, ring=ring, percent=100, threshold=20, by="t", now=now)
        return r.id


def test_rings_canary_first_broken_version_halts_and_no_sale_lost(
    tmp_path: Path, cloud: tuple[CloudSettings, sessionmaker[Session], object]
) -> None:
    settings, factory, engine = cloud
    key = Ed25519PrivateKey.generate()
    bundles = uf.build_versions(tmp_path, key, {A: False, B: False, C: True})
    uf.publish(settings, factory, bundles, public_key_text(key))
    with (
        mosquitto(tmp_path) as broker,
        uf.ingest_worker(tmp_path, broker, settings.database_url),
        uf.cloud_http(settings, engine) as base_url,
    ):
        nodes = [
            uf.start_node(tmp_path, broker, store, node, bundles[A], key)
            for store in STORES
            for node in NODES
        ]
        try:
            figures = _run(broker, factory, base_url, nodes)
            _drain(factory, nodes)
        finally:
            for n in nodes:
                n.proc.stop()
    _check_sales(factory, nodes, figures)


def _run(
    broker: MosquittoProcess,
    factory: sessionmaker[Session],
    base_url: str,
    nodes: list[uf.FleetNode],
) -> dict[str, object]:
    dispatcher, address = CommandDispatcher.from_settings(
        CloudSettings(database_url="sqlite://", mqtt_url=broker.url)
    )
    dispatcher.start(address.host, address.port)
    driver = RolloutDriver(
        factory, dispatcher, base_url, every_s=0.5, resend_after=timedelta(seconds=20)
    )
    driver.start()
    try:
        online = uf.wait(lambda: set(_versions(factory).values()) == {A}, 90, "20 nodes on A")
        figures = {"online_s": online, **_roll(factory, nodes)}
        answers = Counter(str(t.status) for t in dispatcher.tracker.commands.values())
        return {**figures, "order_answers": dict(answers)}
    finally:
        driver.stop()
        dispatcher.stop()


def _roll(factory: sessionmaker[Session], nodes: list[uf.FleetNode]) -> dict[str, object]:
    canary = [n for n in nodes if (n.store, n.node) in CANARIES]
    others = [n for n in nodes if n not in canary]
    r1 = _start(factory, B, "canary")
    canary_s = uf.wait(lambda: _rollout(factory, r1)[2] == {"ok": 2}, 60, "B on the canaries")
    versions = _versions(factory)
    assert {versions[(n.store, n.node)] for n in canary} == {B}
    assert {versions[(n.store, n.node)] for n in others} == {A}  # canary first
    assert _start(factory, B, "all") == r1  # the same rollout, widened
    all_s = uf.wait(lambda: _rollout(factory, r1)[0] == "done", 120, "B everywhere")
    assert set(_versions(factory).values()) == {B}

    r2 = _start(factory, C, "canary")
    halt_s = uf.wait(lambda: _rollout(factory, r2)[0] == "halted", 90, "C halted at canary")
    reason = _rollout(factory, r2)[1]
    assert reason is not None
    assert reason.startswith("ring canary: "), reason
    assert reason.endswith("finished nodes failed (100% > 20%)"), reason
    uf.wait(lambda: _rollout(factory, r2)[2] == {"rolled_back": 2}, 60, "both canaries back")
    with factory() as s:
        failures = service.progress(s, service.get_rollout(s, r2))["failures"]
    assert {f["reason"] for f in failures} == {
        "self-test failed: broker: not connected to the broker"
    }
    uf.wait(lambda: {_versions(factory)[(n.store, n.node)] for n in canary} == {B}, 30, "B again")
    for n in canary:
        assert n.current == B  # switched back by itself
        assert n.proc.starts[-2:] == [C, B], n.proc.starts
    for n in others:
        assert n.proc.starts == [A, B], n.proc.starts  # never ran C
        assert not (n.root / "versions" / C).exists()  # never even downloaded it
    return {"b_canary_s": canary_s, "b_all_s": all_s, "c_halt_s": halt_s, "halt": reason}


def _ledgers(nodes: list[uf.FleetNode]) -> dict[str, str]:
    """sale id → version that sold it, from each node's own outbox database."""
    sold: dict[str, str] = {}
    for n in nodes:
        conn = sqlite3.connect(n.data / "outbox.sqlite3", timeout=10)
        try:
            sold.update(dict(conn.execute("SELECT sale_id, version FROM sold")))
        finally:
            conn.close()
    return sold


def _cloud_sales(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(Sale)) or 0)


def _drain(factory: sessionmaker[Session], nodes: list[uf.FleetNode]) -> None:
    """Stop selling; then wait until every sale in the ledgers is in the cloud and the ledgers
    stayed the same for a second (a sale in progress at the stop still completes)."""
    for n in nodes:
        (n.data / "stop-selling").touch()
    last: list[set[str]] = [set()]

    def settled() -> bool:
        sold = set(_ledgers(nodes))
        with factory() as s:
            applied = set(s.scalars(select(Sale.sale_id)))
        stable = sold == last[0]
        last[0] = sold
        if stable and sold <= applied:
            return True
        time.sleep(1.0)
        return False

    uf.wait(settled, 90, "every sale applied")


def _check_sales(
    factory: sessionmaker[Session], nodes: list[uf.FleetNode], figures: dict[str, object]
) -> None:
    sold = _ledgers(nodes)
    by_version = {v: sum(1 for x in sold.values() if x == v) for v in (A, B, C)}
    print("update rollout figures:", figures, "sold by version:", by_version)
    assert min(by_version.values()) > 0  # C sold during its trial, B sent those sales
    with factory() as s:
        ids = set(s.scalars(select(Sale.sale_id)))
    assert ids == set(sold)  # none lost
    assert _cloud_sales(factory) == len(sold)  # none doubled
