"""One simulated store: kiosk-1, kiosk-2 and shelf-1 running the real node code, shoppers on
accelerated time, staff restocking on alerts, and the scenario's faults.

Threads: ``sim-arrivals`` plays the arrivals (and shelf picks) on the simulated clock into a
queue; ``sim-<kiosk>`` per kiosk serves it; ``sim-staff`` restocks; a thread per fault."""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from contracts.messages import SaleData
from contracts.pricebook import PriceBook, Product
from shelf_sensors.lanes import LaneSpec
from simulators import stocking
from simulators.checkout import Shopper, wait_for
from simulators.clock import SimClock
from simulators.cloudapi import CloudApi
from simulators.devices.camera import FrameCache
from simulators.devices.loadcell import LiveLoadCell
from simulators.exceptions import NoPriceBookError, SimulatorError
from simulators.faults import FaultRunner
from simulators.nodes import SimKiosk, SimShelf
from simulators.online import OnlineOrders
from simulators.scenario import Scenario
from simulators.shoppers import (
    DEMO_MEMBERS,
    ShopperPlan,
    arrivals,
    plan_shopper,
    restricted,
    sellable,
)
from simulators.simtime import load_resume, opening, save_resume, seconds_into_day, store_zone
from simulators.staff import Staff
from simulators.tally import Tally
from simulators.uplink import Uplink

log = logging.getLogger(__name__)

KIOSKS, SHELF = ("kiosk-1", "kiosk-2"), "shelf-1"


class StoreSimulation:
    def __init__(
        self,
        scenario: Scenario,
        mqtt_url: str,
        data_dir: Path,
        *,
        store: str = "demo",
        protocol: Literal["auto", "5", "3.1.1"] = "auto",
        cloud: CloudApi | None = None,
        use_uplink: bool = True,
        members: list[str] | None = None,
        ui_ports: dict[str, int] | None = None,
        clock_file: Path | None = None,
        started_at: datetime | None = None,
    ) -> None:
        """``clock_file``: where the simulated clock is kept between runs (continue, not
        restart at opening); ``started_at``: the real instant whose store-local date is the
        simulated day (default: now)."""
        from contracts.topics import validate_id
        from edge.config import MqttSettings

        self.scenario = scenario
        self.store = validate_id(store, "store")
        self.data_dir = data_dir
        self.protocol = protocol
        self.cloud = cloud
        self.members = DEMO_MEMBERS if members is None else members
        self.ui_ports = ui_ports or {}
        broker = MqttSettings(url=mqtt_url)
        self.uplink = Uplink(broker.host, broker.port) if use_uplink else None
        self.mqtt_url = mqtt_url
        self.rng = random.Random(scenario.seed)
        self.stop_event = threading.Event()
        self.tally = Tally()
        self.kiosks: dict[str, SimKiosk] = {}
        self.shelf: SimShelf | None = None
        self.cell: LiveLoadCell | None = None
        self.lanes: dict[str, LaneSpec] = {}
        self.book: PriceBook | None = None
        self.frames = FrameCache(seed=scenario.seed)
        self.queue: queue.Queue[ShopperPlan] = queue.Queue()
        self._direct = {k: queue.Queue[ShopperPlan]() for k in KIOSKS}  # sent to one kiosk
        self._ids, self._sent_rng = itertools.count(1), random.Random(scenario.seed + 1)
        self.clock: SimClock | None = None
        self.arrivals_done = threading.Event()
        self._serving, self._threads = set[str](), list[threading.Thread]()
        self.faults: FaultRunner | None = None
        self.clock_file = clock_file
        self.started_at = started_at
        self.tz = store_zone("UTC")
        self.start_tod = scenario.start
        self.resumed = False
        self.staff: Staff | None = None
        self.online = OnlineOrders(self)
        self.shelf_id = SHELF
        self.skew: dict[str, timedelta] = {}  # a kiosk's clock error (clock_skew fault)
        self._backroom: Counter[str] = Counter()

    # Lifecycle ---------------------------------------------------------------------------

    def start(self, book_timeout: float = 60.0) -> None:
        self.go(self.open(book_timeout))

    def open(self, book_timeout: float = 60.0) -> datetime:
        """Nodes up, price book in, stock booked; :meth:`go` starts the clock at ``begin``."""
        url = self.mqtt_url
        if self.uplink is not None:
            self.uplink.start()
            url = self.uplink.url
        for name in KIOSKS:
            port = self.ui_ports.get(name, 0)
            clock = self._clock_of(name)
            kiosk = SimKiosk(self.store, name, self.data_dir, url, self.protocol, port, clock=clock)
            kiosk.start()
            self.kiosks[name] = kiosk
        book = wait_for(self._book, min(5.0, book_timeout), self.stop_event)
        if book is None:
            self._restart_kiosks_with_stored_book()
            book = wait_for(self._book, book_timeout, self.stop_event)
        if book is None:
            raise NoPriceBookError(
                f"no price book for store {self.store!r} on {self.mqtt_url} within "
                f"{book_timeout:.0f} s: is the cloud running (smartstore demo, cloud serve)?"
            )
        self.book = book
        self._start_shelf(book, url)
        self.tz = store_zone(book.timezone)
        resumed = load_resume(self.clock_file)
        self.resumed = resumed is not None
        begin = resumed or opening(self.tz, self.scenario.start, self.started_at)
        self.start_tod = seconds_into_day(begin, self.tz)
        self._backroom = stocking.book_opening(self, begin.astimezone(self.tz).date())
        return begin

    def go(self, begin: datetime) -> None:
        self.clock = SimClock(begin, self.scenario.speed)  # after the bookings: they take time
        self.staff = Staff(self, self._backroom)
        self._spawn("sim-online", self.online.run)
        self.faults = FaultRunner(self)
        self._spawn("sim-arrivals", self._arrivals)
        for name in KIOSKS:
            self._spawn(f"sim-{name}", self._serve, name)
        self._spawn("sim-staff", self.staff.run)
        if self.clock_file is not None:
            self._spawn("sim-clock", self._keep_clock)
        self.faults.start()

    def _clock_of(self, node: str) -> Callable[[], datetime]:
        return lambda: self.now() + self.skew.get(node, timedelta(0))  # a clock_skew fault

    def _keep_clock(self) -> None:
        """Save the simulated time now and then, so even a killed demo continues its day."""
        while not self.stop_event.wait(5.0):
            save_resume(self.clock_file, self.now())

    def now(self) -> datetime:
        """The simulated time once the day has started (the nodes stamp sales with it)."""
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def at_time_of_day(self, tod: float) -> float:
        """Simulated seconds from the clock's start to ``tod`` on the first simulated day."""
        return tod - self.start_tod

    def _restart_kiosks_with_stored_book(self) -> None:
        """A kiosk that stored a price book it did not apply loads it on its next start."""
        for kiosk in self.kiosks.values():
            node = kiosk.node
            if node is not None and node.parts.session.store.load_pricebook() is not None:
                log.warning(
                    "%s stored a price book but did not apply it: restarting", kiosk.node_id
                )
                kiosk.stop()
                kiosk.start()

    def _book(self) -> PriceBook | None:
        for kiosk in self.kiosks.values():
            node = kiosk.node
            if node is not None and node.parts.session.co.book.products:
                return node.parts.session.co.book
        return None

    def _start_shelf(self, book: PriceBook, url: str) -> None:
        prof = self.scenario.shelf
        models, specs = stocking.shelf_lanes(book, prof, self.rng, self.scenario.seed)
        self.lanes = {s.lane: s for s in specs}
        self.cell = LiveLoadCell(models, rate_hz=prof.rate_hz, seed=self.scenario.seed)
        self.shelf = SimShelf(
            self.store, SHELF, self.data_dir, url, specs, self.cell, self.protocol
        )
        self.shelf.book = book
        self.shelf.start()

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def idle(self) -> bool:
        """Every arrival served and every node up again (a crashed kiosk's sales wait)."""
        waiting = not self.queue.empty() or any(not q.empty() for q in self._direct.values())
        served = self.arrivals_done.is_set() and not waiting and not self._serving
        up = all(k.up.is_set() for k in self.kiosks.values())
        return served and up and (self.shelf is None or self.shelf.up.is_set())

    def run_until_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stop_event.is_set():
            if self.idle():
                return True
            time.sleep(0.1)
        return self.idle()

    def stop(self) -> None:
        """Ordered shutdown: shoppers and staff first, then the nodes, then the uplink."""
        self.stop_event.set()
        for thread in self._threads:
            thread.join(timeout=15)
        if self.clock is not None:
            save_resume(self.clock_file, self.clock.now())
        if self.faults is not None:
            self.faults.stop()
        if self.shelf is not None and self.shelf.up.is_set():
            self.shelf.stop()
        for kiosk in self.kiosks.values():
            if kiosk.up.is_set():
                kiosk.stop()
        if self.uplink is not None:
            self.uplink.stop()

    # Shoppers ------------------------------------------------------------------------------

    def _arrivals(self) -> None:
        assert self.clock is not None
        assert self.book is not None
        assert self.cell is not None
        sc = self.scenario
        day = 0
        try:
            while not self.stop_event.is_set():
                first = self.start_tod if day == 0 else 0.0
                start = max(first, sc.start) if day == 0 else 0.0
                end = sc.end if sc.end is not None else 86_400.0
                times = arrivals(sc.shoppers.per_hour, start, end, self.rng)
                if day == 0 and times and first <= sc.start:
                    times[0] = start  # the first shopper is at the door at opening
                for at in times:
                    if not self.clock.sleep_until(day * 86_400.0 + at - first, self.stop_event):
                        return
                    self.online.route(self._plan(at, self.rng))  # to a kiosk, or online
                if sc.end is not None:
                    if sc.closing_speed is not None:
                        self.clock.set_speed(sc.closing_speed)
                    return
                day += 1
        finally:
            self.arrivals_done.set()

    @functools.cached_property
    def _assortment(self) -> tuple[list[Product], list[Product]]:
        """What shoppers take besides the sensed lanes, and the age-restricted products:
        fixed once the price book is in (:meth:`open`), so worked out once."""
        assert self.book is not None
        laned = {s.sku for s in self.lanes.values()}
        others = [p for p in sellable(self.book) if p.sku not in laned]
        return others, restricted(self.book)

    def _plan(self, at: float, rng: random.Random) -> ShopperPlan:
        """The next shopper, arriving ``at`` (seconds into the day), on the shelf as it is."""
        assert self.book is not None
        assert self.cell is not None
        stock = {
            lane: (self._product(spec.sku), self.cell.count(lane))
            for lane, spec in self.lanes.items()
        }
        sc = self.scenario
        others, special = self._assortment
        args = (stock, others, special, self.members, rng)
        return plan_shopper(next(self._ids), at, sc.shoppers, *args)

    def send_shopper(self, kiosk: str) -> None:
        """A shopper who goes to ``kiosk`` itself: a fault that needs that node to sell (its
        own random stream, so the scenario's arrivals stay as its seed makes them)."""
        plan = self._plan(seconds_into_day(self.now(), self.tz), self._sent_rng)
        self.tally.add("arrivals")
        self._take_from_shelf(plan)
        self._direct[kiosk].put(plan)

    def _next_plan(self, kiosk: str) -> tuple[ShopperPlan, queue.Queue[ShopperPlan]] | None:
        """A shopper sent to this kiosk first, else the next in the common queue."""
        for source, wait in ((self._direct[kiosk], None), (self.queue, 0.2)):
            try:
                return source.get(timeout=wait) if wait else source.get_nowait(), source
            except queue.Empty:
                continue
        return None

    def _product(self, sku: str) -> Any:
        assert self.book is not None
        return next(p for p in self.book.products if p.sku == sku)

    def _take_from_shelf(self, plan: ShopperPlan) -> None:
        assert self.cell is not None
        for item in (*plan.items, *plan.put_back):
            if item.lane is not None:
                self.cell.take(item.lane, 1)
                self.tally.add("shelf_picks")
                stocking.maybe_shrink(self, item.lane)
        for item in plan.put_back:
            if item.lane is not None:
                self.cell.put(item.lane, 1)
                self.tally.add("shelf_put_backs")

    def _serve(self, name: str) -> None:
        kiosk = self.kiosks[name]
        attendant_s = (
            max(0.2, self.clock.real_seconds(self.scenario.staff.attendant_delay))
            if self.clock
            else 0.5
        )
        while not self.stop_event.is_set():
            taken = self._next_plan(name)
            if taken is None:
                continue
            plan, source = taken
            if not kiosk.up.is_set():  # crashed: back in line (for another kiosk, or this one)
                source.put(plan)
                self.stop_event.wait(0.2)
                continue
            self._serving.add(f"{name}:{plan.shopper_id}")
            try:
                stats: dict[str, int] = {}
                ok = Shopper(
                    kiosk, plan, self.frames, self.stop_event, attendant_s, stats
                ).checkout()
                with self.tally.lock:
                    self.tally.stats.update(stats)
                    self.tally.stats["shoppers_done" if ok else "shoppers_failed"] += 1
            except Exception:
                log.exception("shopper %d failed at %s", plan.shopper_id, name)
                self.tally.add("shoppers_failed")
            finally:
                self._serving.discard(f"{name}:{plan.shopper_id}")

    def local_sales(self) -> list[SaleData]:
        """Every sale the kiosks recorded locally (ground truth for the cloud)."""
        out: list[SaleData] = []
        for kiosk in self.kiosks.values():
            if kiosk.node is None:
                raise SimulatorError(f"{kiosk.node_id} is down: its sales cannot be read now")
            out.extend(kiosk.node.parts.session.store.open_sales()[0])
        return out

    def outbox_depth(self) -> int:
        depth = sum(k.node.outbox.depth() for k in self.kiosks.values() if k.node is not None)
        if self.shelf is not None and self.shelf.outbox is not None:
            depth += self.shelf.outbox.depth()
        return depth

    def sold_by_sku(self) -> dict[str, Decimal]:
        assert self.book is not None
        by_gtin = {g: p.sku for p in self.book.products for g in p.gtins}
        sold: Counter[str] = Counter()
        for sale in self.local_sales():
            for line in sale.lines:
                sold[by_gtin.get(line.gtin, line.gtin)] += line.qty  # type: ignore[assignment]
        return {sku: Decimal(q) for sku, q in sold.items()}

    def progress(self) -> str:
        s = self.tally.stats
        when = self.clock.now().astimezone(self.tz).strftime("%H:%M") if self.clock else "--:--"
        return (
            f"[{when}] shoppers {s['arrivals']} · sales {s['sales']} · declines "
            f"{s['card_declined']} · manual entries {s['manual_entries']} · restocks "
            f"{s['restocks']} · faults {len(self.tally.faults)}"
        )
