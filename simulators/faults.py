"""Plays a scenario's faults at their simulated times of day.

Physical-time floors: the node code runs on real clocks, so a fault shorter in real time than
what a detector needs (a stuck cell is noticed after 160 identical samples) is stretched to
that minimum, and said so in the log.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from simulators.scenario import (
    BrokerOutage,
    ClockSkew,
    DiskFull,
    Fault,
    NodeCrash,
    PaymentTimeout,
    PrinterPaperOut,
    SensorDrift,
    SensorSpike,
    SensorStuck,
)

if TYPE_CHECKING:
    from simulators.store import StoreSimulation

log = logging.getLogger(__name__)

STUCK_MIN_REAL_S = 6.0
REFILL_REAL_S = 0.2
"""How often a full disk's free pages are taken again while the fault lasts."""
UNLIMITED_PAGES = 1_073_741_823  # SQLite's default max_page_count


class FaultRunner:
    def __init__(self, sim: StoreSimulation) -> None:
        self.sim = sim
        self._threads: list[threading.Thread] = []
        self._paper_lock = threading.Lock()

    def start(self) -> None:
        for i, fault in enumerate(self.sim.scenario.faults):
            thread = threading.Thread(
                target=self._play, args=(fault,), name=f"sim-fault-{i}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        for thread in self._threads:
            thread.join(timeout=15)

    def _note(self, text: str) -> None:
        clock = self.sim.clock
        when = clock.now().astimezone(self.sim.tz).strftime("%H:%M") if clock else "--:--"
        with self.sim.tally.lock:
            self.sim.tally.faults.append(f"{when} {text}")
        log.warning("fault at %s: %s", when, text)

    def _play(self, fault: Fault) -> None:
        sim, clock, stop = self.sim, self.sim.clock, self.sim.stop_event
        assert clock is not None
        if sim.resumed and sim.at_time_of_day(fault.at) < 0:
            log.info("%s at %s: already past in the continued day", fault.kind, fault.at)
            return
        if not clock.sleep_until(sim.at_time_of_day(fault.at), stop):
            return
        try:
            self._apply(fault)
        except Exception:
            log.exception("fault %s could not be applied", fault.kind)

    def _apply(self, fault: Fault) -> None:
        sim, clock, stop = self.sim, self.sim.clock, self.sim.stop_event
        assert clock is not None
        cell = sim.cell
        if isinstance(fault, BrokerOutage):
            if sim.uplink is None:
                self._note("broker_outage skipped: no uplink relay (--no-uplink)")
                return
            sim.uplink.down()
            self._note(f"broker outage for {fault.duration:.0f} s")
            clock.sleep(fault.duration, stop)
            sim.uplink.up()
            self._note("broker reachable again")
        elif isinstance(fault, NodeCrash):
            node = sim.kiosks.get(fault.node) or (sim.shelf if fault.node == "shelf-1" else None)
            if node is None:
                self._note(f"node_crash skipped: no node {fault.node}")
                return
            node.crash()
            self._note(f"{fault.node} crashed, restarts in {fault.down_for:.0f} s")
            clock.sleep(fault.down_for, stop)
            if not stop.is_set():
                node.start()
                self._note(f"{fault.node} restarted")
        elif isinstance(fault, SensorSpike) and cell is not None:
            cell.spike(fault.lane, fault.count)
            self._note(f"{fault.count} spikes on {fault.lane}")
        elif isinstance(fault, SensorDrift) and cell is not None:
            real = clock.real_seconds(fault.duration)
            total = fault.grams_per_hour * fault.duration / 3600.0
            cell.drift(fault.lane, total / max(real, 1e-3), real)
            self._note(f"{fault.lane} drifts {total:+.1f} g over {fault.duration:.0f} s")
        elif isinstance(fault, SensorStuck) and cell is not None:
            real = clock.real_seconds(fault.duration)
            if real < STUCK_MIN_REAL_S:
                log.info("stuck fault stretched from %.1f to %.1f real s", real, STUCK_MIN_REAL_S)
            cell.stick(fault.lane, max(real, STUCK_MIN_REAL_S))
            self._note(f"{fault.lane} stuck for {fault.duration:.0f} s")
        elif isinstance(fault, PrinterPaperOut):
            self.paper(fault.node, "out")
            self._note(f"{fault.node} printer out of paper")
            clock.sleep(fault.duration, stop)
            self.paper(fault.node, "ok")  # no-op when staff loaded paper already
        elif isinstance(fault, PaymentTimeout):
            kiosk = sim.kiosks.get(fault.node)
            terminal = kiosk.payment if kiosk is not None else None
            if terminal is None:
                self._note(f"payment_timeout skipped: no terminal on {fault.node}")
                return
            terminal.push(*(["timeout"] * fault.count))  # type: ignore[arg-type]
            self._note(f"next {fault.count} card payment(s) on {fault.node} time out")
        elif isinstance(fault, ClockSkew):
            if fault.node not in sim.kiosks:
                self._note(f"clock_skew skipped: no kiosk {fault.node}")
                return
            sim.skew[fault.node] = timedelta(seconds=fault.offset)
            self._note(f"{fault.node} clock {fault.offset / 3600:+.0f} h")
            clock.sleep(fault.duration, stop)
            sim.skew.pop(fault.node, None)
            self._note(f"{fault.node} clock set right")
        elif isinstance(fault, DiskFull):
            self._disk_full(fault)

    def _disk_full(self, fault: DiskFull) -> None:
        """SQLite's own SQLITE_FULL: the outbox may not grow its file any more, and the free
        pages inside it stay taken for the whole fault, as on a card that other writers keep
        full (a node deleting acknowledged rows must not find room the card does not have).
        The filler writes on its own connection, so only the node's writes tell the node
        whether it has room."""
        sim, clock = self.sim, self.sim.clock
        assert clock is not None
        kiosk = sim.kiosks.get(fault.node)
        outbox = kiosk.node.outbox if kiosk and kiosk.node else None
        if fault.node == "shelf-1" and sim.shelf is not None:
            outbox = sim.shelf.outbox
        if outbox is None:
            self._note(f"disk_full skipped: {fault.node} is not running")
            return
        with outbox.transaction() as tx:
            tx.conn.execute("CREATE TABLE IF NOT EXISTS sim_filler (b BLOB)")
        with outbox.transaction() as tx:
            (pages,) = tx.conn.execute("PRAGMA page_count").fetchone()
            tx.conn.execute(f"PRAGMA max_page_count = {int(pages)}")
        filler = sqlite3.connect(outbox.path, timeout=10, isolation_level=None)
        try:
            filler.execute(f"PRAGMA max_page_count = {int(pages)}")
            filled = _take_free_pages(filler)
            self._note(f"{fault.node} outbox disk full ({filled} free page(s) taken)")
            if fault.node in sim.kiosks:  # a shopper at that kiosk: a write that needs room
                sim.send_shopper(fault.node)
            end = clock.elapsed() + fault.duration
            while clock.elapsed() < end and not sim.stop_event.is_set():
                sim.stop_event.wait(REFILL_REAL_S)
                _take_free_pages(filler)  # what the node freed is taken again
            with outbox.transaction() as tx:
                tx.conn.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")
            filler.execute("DELETE FROM sim_filler")
        finally:
            filler.close()
        self._note(f"{fault.node} outbox disk has room again")

    def paper(self, node: str, state: str) -> bool:
        """Set the simulated printer's paper; True when that changed it."""
        kiosk = self.sim.kiosks.get(node)
        sale_printer = kiosk.node.devices.printer if kiosk and kiosk.node else None
        printer = getattr(sale_printer, "printer", None)
        transport = getattr(printer, "transport", None)
        if transport is None or not hasattr(transport, "paper"):
            log.warning("%s has no simulated printer: paper fault ignored", node)
            return False
        with self._paper_lock:
            changed = bool(transport.paper != state)
            transport.paper = state
        if changed and state == "ok" and self.sim.clock is not None:
            self._note(f"{node} printer paper loaded")
        return changed


def _take_free_pages(filler: sqlite3.Connection) -> int:
    """Fill the file's free pages (one small commit at a time) so the next write that needs
    a page meets SQLITE_FULL, as on a card with no room left; returns the rows written."""
    for n in range(100_000):
        try:
            filler.execute("INSERT INTO sim_filler VALUES (zeroblob(1024))")
        except sqlite3.Error:
            return n
    return 100_000
