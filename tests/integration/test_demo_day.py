"""Acceptance (issue 8): a simulated day, and the same with an outage and a kiosk crash.

The real kiosk and shelf nodes run against a private Mosquitto, the real cloud (ingest, API,
SQLite) beside them. Ground truth is each kiosk's own local sales; the cloud must hold every
one exactly once, its stock must be initial + received − sold for every product, and no
message may be dead-lettered.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.messages import SaleData
from simulators.cloud import LocalCloud
from simulators.cloudapi import CloudApi
from simulators.scenario import load_scenario
from simulators.store import StoreSimulation
from smartstore.broker import free_port
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.timeout(240)]
PASSWORD = "sim-test-pass-1"


@dataclass
class Cloud:
    cloud: LocalCloud
    manager: CloudApi
    admin: CloudApi


@pytest.fixture
def cloud(tmp_path: Path, mosquitto_broker: MosquittoProcess) -> Iterator[Cloud]:
    local = LocalCloud(
        f"sqlite:///{tmp_path}/cloud.sqlite3", mosquitto_broker.url, port=free_port()
    )
    local.prepare(PASSWORD)
    local.start_ingest()
    local.publish_pricebook()
    local.start_api()
    manager = CloudApi(local.url, "manager", PASSWORD)
    admin = CloudApi(local.url, "admin", PASSWORD)
    try:
        yield Cloud(local, manager, admin)
    finally:
        manager.close()
        admin.close()
        local.stop()


def run_day(
    scenario: str,
    cloud: Cloud,
    broker: MosquittoProcess,
    tmp: Path,
    before_stop: Callable[[StoreSimulation], None] | None = None,
) -> StoreSimulation:
    sim = StoreSimulation(load_scenario(scenario), broker.url, tmp / "nodes", cloud=cloud.manager)
    initial = cloud.manager.on_hand("demo")
    sim.start()
    try:
        assert sim.run_until_idle(150), sim.progress()
        local = sim.local_sales()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sim.outbox_depth() == 0 and len(cloud.manager.sales("demo")) >= len(local):
                break
            time.sleep(0.5)
        check_cloud(sim, cloud, initial, local)
        sim.tally.stats["kiosk-1 boot"] = sim.kiosks["kiosk-1"].session.store.outbox.boot
        if before_stop is not None:
            before_stop(sim)
    finally:
        sim.stop()
    return sim


def check_cloud(
    sim: StoreSimulation, cloud: Cloud, initial: dict[str, Decimal], local: list[SaleData]
) -> None:
    sales = cloud.manager.sales("demo")
    ids = [s["sale_id"] for s in sales]
    assert len(ids) == len(set(ids)), "a sale is in the cloud twice"
    assert sorted(ids) == sorted(s.sale_id for s in local)
    assert sum(Decimal(s["total"]) for s in sales) == sum(s.total for s in local)
    by_id = {s["sale_id"]: Decimal(s["total"]) for s in sales}
    assert all(by_id[s.sale_id] == s.total for s in local)
    sold = sim.sold_by_sku()
    received = sim.tally.received  # opening stock and deliveries; restocks move no stock
    final = cloud.manager.on_hand("demo")
    for sku in set(final) | set(sold) | set(received):
        expected = initial.get(sku, Decimal(0)) - sold.get(sku, Decimal(0)) + received[sku]
        assert final.get(sku, Decimal(0)) == expected, sku
    assert cloud.admin.dead_letters() == []
    assert len(local) >= 10
    assert sim.tally.stats["restocks"] >= 1


def test_one_simulated_day(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    sim = run_day("day", cloud, mosquitto_broker, tmp_path)
    assert sim.tally.stats["camera_scans"] > 0
    assert sim.tally.stats["manual_entries"] > 0
    alerts = cloud.manager.alerts("demo")
    assert any(a["type"] == "low_stock" and a["status"].startswith("cleared") for a in alerts)


def test_day_with_broker_outage_and_kiosk_crash(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    sim = run_day("outage", cloud, mosquitto_broker, tmp_path)
    faults = " | ".join(sim.tally.faults)
    assert "broker outage" in faults
    assert "kiosk-1 crashed" in faults
    assert "kiosk-1 restarted" in faults
    assert sim.uplink is not None
    assert sim.uplink.cuts >= 1
    assert sim.tally.stats["kiosk-1 boot"] == 2  # restarted once, from its own files


def terminal_charges(sim: StoreSimulation, kiosk: str) -> dict[str, int]:
    """Charges the kiosk's simulated terminal saw, by status (its own state file)."""
    with sqlite3.connect(sim.data_dir / kiosk / "terminal.sqlite3") as conn:
        rows = conn.execute("SELECT status, count(*) FROM charges GROUP BY status").fetchall()
    return {str(status): int(n) for status, n in rows}


def shelf_counts_match(sim: StoreSimulation) -> None:
    """Spikes, drift and a stuck cell must not leave the shelf node miscounting a lane."""
    assert sim.cell is not None
    cell = sim.cell

    def mismatched() -> dict[str, tuple[int, int]]:
        states = sim.shelf.lane_states() if sim.shelf is not None else {}
        return {
            lane: (int(st["count"]), cell.count(lane))
            for lane, st in states.items()
            if int(st["count"]) != cell.count(lane)
        }

    deadline = time.monotonic() + 15  # the last restock may still be settling
    while mismatched() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mismatched() == {}, "shelf count vs units on the lane"


def test_faults_scenario_keeps_the_invariants_and_reports_the_faults(
    cloud: Cloud, mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    """simulators/scenarios/faults.yaml: every fault kind, then the same checks as a day."""
    sim = run_day("faults", cloud, mosquitto_broker, tmp_path, shelf_counts_match)
    played = " | ".join(sim.tally.faults)
    for text in (
        "8 spikes on l1",
        "l2 drifts",
        "l3 stuck",
        "kiosk-2 printer out of paper",
        "next 2 card payment(s) on kiosk-1 time out",
        "broker outage",
        "shelf-1 crashed",
        "shelf-1 restarted",
        "kiosk-2 crashed",
        "kiosk-2 restarted",
    ):
        assert text in played, played
    alerts = cloud.manager.alerts("demo")
    seen = {(a["type"], a["source"]) for a in alerts}
    summary = sorted(seen)
    # the stuck cell is a device fault of its lane, raised and cleared by the shelf node
    assert ("device_fault", "shelf-1/lane:l3") in seen, summary
    # the crashed nodes' wills reach the cloud as offline alerts, cleared once they are
    # back (the nodes' clean stop at the end of the run opens new ones: not counted)
    for node in ("shelf-1", "kiosk-2"):
        states = [
            a["status"] for a in alerts if (a["type"], a["source"]) == ("device_offline", node)
        ]
        assert any(s.startswith("cleared") for s in states), (node, states, summary)
    # the paper-out printer stopped kiosk-2 for an attendant and shows as its fault
    assert ("device_fault", "kiosk-2/printer") in seen, summary
    assert sim.tally.stats["printer_faults_cleared"] >= 1
    # payment timeouts: charged nothing, settled by the kiosk, the shopper paid again
    charges = terminal_charges(sim, "kiosk-1")
    assert charges.get("lost", 0) + charges.get("cancelled", 0) == 2, charges
    # spikes and drift raise no fault by design (glitch filter, drift tracking): what
    # shows they were absorbed is shelf_counts_match (no phantom pick or put)
