"""Simulated store staff: they clock in, acknowledge every alert within minutes, take the
restock tasks the cloud opens for their shelf's lanes (the shelf closes them when it reports
restocked), restock shelf lanes from the backroom, load paper into a printer that ran out, and
resolve what does not clear by itself. They act through the cloud's REST API like a person
with the console would.

The backroom is physical: units booked into the store (opening stock, deliveries) and not on
the sensed shelf. A restock moves units backroom → shelf, which changes no ledger total (the
ledger counts the store, not the shelf); it only fails when the backroom is really empty.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulators import stocking
from simulators.exceptions import SimulatorError

if TYPE_CHECKING:
    from simulators.store import StoreSimulation

log = logging.getLogger(__name__)

LANE_ALERTS = ("low_stock", "out_of_stock")
UNACKED = ("active_unack", "cleared_unack")


class Staff:
    """One loop (the ``sim-staff`` thread) over the store's alerts, on the simulated clock."""

    def __init__(self, sim: StoreSimulation, backroom: Counter[str]) -> None:
        self.sim = sim
        self.backroom = backroom
        self.acks: dict[int, float] = {}
        self.jobs: dict[str, tuple[float, Callable[[], None]]] = {}
        self.resolves: dict[int, float] = {}

    def run(self) -> None:
        sim = self.sim
        assert sim.clock is not None
        self._shift("in")
        while not sim.stop_event.wait(0.3):
            try:
                self._look()
            except SimulatorError as exc:  # the cloud may be briefly unreachable
                log.info("staff cannot read alerts: %s", exc)
            except Exception:
                log.exception("staff loop failed")
            self._work()
        self._shift("out")

    def _shift(self, edge: str) -> None:
        """Clock in when the store opens, out when the simulation stops."""
        cloud = self.sim.cloud
        if cloud is None:
            return
        try:
            if edge == "in":
                cloud.clock_in(self.sim.store)
                self.sim.tally.add("staff_clocked_in")
            else:
                cloud.clock_out(self.sim.store)
        except Exception as exc:  # the cloud may be down at the end of a run
            log.info("clock-%s not recorded: %s", edge, exc)

    def _look(self) -> None:
        sim = self.sim
        assert sim.clock is not None
        staff = sim.scenario.staff
        now = sim.clock.elapsed()
        if sim.cloud is None:
            for lane in self.lanes_low():
                self.jobs.setdefault(f"lane:{lane}", (now + staff.restock_delay, self._lane(lane)))
            return
        for alert in sim.cloud.alerts(sim.store):
            self._plan(alert, now)
        self._take_tasks()

    def _take_tasks(self) -> None:
        """Start (and so take) every open, unassigned restock task of this shelf's lanes."""
        cloud, sim = self.sim.cloud, self.sim
        assert cloud is not None
        for task in cloud.tasks(sim.store, status="open", kind="restock"):
            node, _, lane = str(task.get("source") or "").partition("/")
            if task["assignee"] is None and node == sim.shelf_id and lane in sim.lanes:
                cloud.start_task(int(task["id"]))
                sim.tally.add("tasks_started")

    def _plan(self, alert: dict[str, Any], now: float) -> None:
        staff = self.sim.scenario.staff
        aid = int(alert["id"])
        if alert["status"] in UNACKED:
            self.acks.setdefault(aid, now + staff.ack_delay)
        if not alert["status"].startswith("active"):
            return
        source, kind = str(alert["source"]), str(alert["type"])
        node, _, part = source.partition("/")
        if kind in LANE_ALERTS and node == self.sim.shelf_id and part in self.sim.lanes:
            self.jobs.setdefault(f"lane:{part}", (now + staff.restock_delay, self._lane(part)))
        elif kind == "device_fault" and part == "printer":
            self.jobs.setdefault(f"paper:{node}", (now + staff.fault_delay, self._paper(node)))
        elif kind not in LANE_ALERTS and kind not in ("device_fault", "device_offline"):
            self.resolves.setdefault(aid, now + staff.resolve_delay)

    def _work(self) -> None:
        sim = self.sim
        assert sim.clock is not None
        now = sim.clock.elapsed()
        for key, (when, job) in list(self.jobs.items()):
            if now >= when:
                del self.jobs[key]
                job()
        cloud = sim.cloud
        if cloud is None:
            return
        for aid, when in list(self.acks.items()):
            if now >= when and self._call(cloud.acknowledge, aid):
                self.acks[aid] = float("inf")  # done; kept so it is not planned again
                sim.tally.add("alerts_acknowledged")
        for aid, when in list(self.resolves.items()):
            if now >= when and self._call(cloud.resolve, aid):
                self.resolves[aid] = float("inf")
                sim.tally.add("alerts_resolved")

    @staticmethod
    def _call(fn: Callable[[int], object], aid: int) -> bool:
        try:
            fn(aid)
        except SimulatorError as exc:
            log.info("staff could not act on alert %d: %s", aid, exc)
            return False
        return True

    def _lane(self, lane: str) -> Callable[[], None]:
        return lambda: self.restock(lane)

    def _paper(self, node: str) -> Callable[[], None]:
        return lambda: self.load_paper(node)

    def lanes_low(self) -> set[str]:
        """Lanes the shelf node itself reports low or out (staff without a cloud look here)."""
        shelf = self.sim.shelf
        states = shelf.lane_states() if shelf is not None else {}
        return {lane for lane, st in states.items() if st["state"] in ("low", "out")}

    def load_paper(self, node: str) -> None:
        faults = self.sim.faults
        if faults is not None and faults.paper(node, "ok"):
            self.sim.tally.add("printer_paper_loaded")
            log.info("staff loaded paper into %s's printer", node)

    def restock(self, lane: str) -> None:
        """Backroom → shelf: as many units as the lane takes and the backroom holds."""
        sim = self.sim
        assert sim.cell is not None
        spec = sim.lanes[lane]
        count = sim.cell.count(lane)
        if count > spec.low_stock_at:
            return  # someone already did, or the alert was a glitch
        qty = min(spec.capacity - count, self.backroom[spec.sku])
        if qty <= 0:
            sim.tally.add("restocks_short")
            log.info("staff: no %s left in the backroom for %s", spec.sku, lane)
            return
        put = sim.cell.put(lane, qty)
        self.backroom[spec.sku] -= put
        if self.backroom[spec.sku] < spec.capacity:
            try:
                stocking.deliver(sim, spec.sku, self.backroom)
            except SimulatorError as exc:
                log.warning("delivery of %s not booked: %s", spec.sku, exc)
        with sim.tally.lock:
            sim.tally.restocked[spec.sku] += put
            sim.tally.stats["restocks"] += 1
        log.info("staff restocked %s (%s) with %d from the backroom", lane, spec.sku, put)
