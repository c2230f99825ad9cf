"""One simulated store: kiosk-1, kiosk-2 and shelf-1 running the real node code, shoppers on
accelerated time, staff restocking on alerts, and the scenario's faults.

Threads: ``sim-arrivals`` plays the shopper arrivals (and their shelf picks) on the
simulated clock into a queue; one ``sim-<kiosk>`` worker per kiosk serves that queue;
``sim-staff`` restocks; one thread per scheduled fault. One stop event ends them all.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from contracts.messages import SaleData
from contracts.pricebook import PriceBook
from shelf_sensors.lanes import LaneSpec
from simulators.checkout import Shopper, wait_for
from simulators.clock import SimClock
from simulators.cloudapi import CloudApi
from simulators.devices.camera import FrameCache
from simulators.devices.loadcell import LaneModel, LiveLoadCell
from simulators.exceptions import NoPriceBookError, SimulatorError
from simulators.faults import FaultRunner
from simulators.nodes import SimKiosk, SimShelf
from simulators.scenario import Scenario
from simulators.shoppers import (
    DEMO_MEMBERS,
    ShopperPlan,
    arrivals,
    choose_lane_products,
    plan_shopper,
    restricted,
    sellable,
)
from simulators.uplink import Uplink

log = logging.getLogger(__name__)

KIOSKS = ("kiosk-1", "kiosk-2")
SHELF = "shelf-1"


@dataclass
class Tally:
    """What the simulation did, for progress lines and for checking the cloud."""

    stats: Counter[str] = field(default_factory=Counter)
    restocked: Counter[str] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[key] += n


class StoreSimulation:
    def __init__(
        self,
        scenario: Scenario,
        mqtt_url: str,
        data_dir: Path,
        *,
        store: str = "demo",
        protocol: Literal["5", "3.1.1"] = "5",
        cloud: CloudApi | None = None,
        use_uplink: bool = True,
        members: list[str] | None = None,
    ) -> None:
        from contracts.topics import validate_id
        from edge.config import MqttSettings

        self.scenario = scenario
        self.store = validate_id(store, "store")
        self.data_dir = data_dir
        self.protocol = protocol
        self.cloud = cloud
        self.members = DEMO_MEMBERS if members is None else members
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
        self.clock: SimClock | None = None
        self.arrivals_done = threading.Event()
        self._serving: set[str] = set()
        self._threads: list[threading.Thread] = []
        self.faults: FaultRunner | None = None

    # Lifecycle ---------------------------------------------------------------------------

    def start(self, book_timeout: float = 60.0) -> None:
        url = self.mqtt_url
        if self.uplink is not None:
            self.uplink.start()
            url = self.uplink.url
        for name in KIOSKS:
            kiosk = SimKiosk(self.store, name, self.data_dir, url, self.protocol)
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
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.clock = SimClock(today + timedelta(seconds=self.scenario.start), self.scenario.speed)
        self.faults = FaultRunner(self)
        self._spawn("sim-arrivals", self._arrivals)
        for name in KIOSKS:
            self._spawn(f"sim-{name}", self._serve, name)
        self._spawn("sim-staff", self._staff)
        self.faults.start()

    def _restart_kiosks_with_stored_book(self) -> None:
        """A kiosk that stored a price book it did not apply loads it on its next start."""
        for kiosk in self.kiosks.values():
            node = kiosk.node
            if node is not None and node.controller.store.load_pricebook() is not None:
                log.warning(
                    "%s stored a price book but did not apply it: restarting", kiosk.node_id
                )
                kiosk.stop()
                kiosk.start()

    def _book(self) -> PriceBook | None:
        for kiosk in self.kiosks.values():
            node = kiosk.node
            if node is not None and node.controller.co.book.products:
                return node.controller.co.book
        return None

    def _start_shelf(self, book: PriceBook, url: str) -> None:
        prof = self.scenario.shelf
        products = choose_lane_products(book, prof.lanes, random.Random(self.scenario.seed))
        models, specs = [], []
        for i, product in enumerate(products):
            lane = f"l{i + 1}"
            start = self.rng.randint(prof.low_stock_at + 1, prof.capacity)
            models.append(
                LaneModel(
                    lane,
                    product.sku,
                    float(product.unit_weight_g or 0),
                    start,
                    prof.capacity,
                    noise_g=prof.noise_g,
                )
            )
            specs.append(
                LaneSpec(
                    lane=lane,
                    sku=product.sku,
                    gtin=product.gtins[0],
                    unit_weight_g=float(product.unit_weight_g or 0),
                    capacity=prof.capacity,
                    low_stock_at=prof.low_stock_at,
                )
            )
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
        """Every arrival has been served (finite scenarios only)."""
        return self.arrivals_done.is_set() and self.queue.empty() and not self._serving

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
        others = [
            p for p in sellable(self.book) if p.sku not in {s.sku for s in self.lanes.values()}
        ]
        special = restricted(self.book)
        next_id = 1
        try:
            while not self.stop_event.is_set():
                start = sc.start if day == 0 else 0.0
                end = sc.end if sc.end is not None else 86_400.0
                times = arrivals(sc.shoppers.per_hour, start, end, self.rng)
                if day == 0 and times:
                    times[0] = start  # the first shopper is at the door at opening
                for at in times:
                    if not self.clock.sleep_until(day * 86_400.0 + at - sc.start, self.stop_event):
                        return
                    stock = {
                        lane: (self._product(spec.sku), self.cell.count(lane))
                        for lane, spec in self.lanes.items()
                    }
                    plan = plan_shopper(
                        next_id, at, sc.shoppers, stock, others, special, self.members, self.rng
                    )
                    next_id += 1
                    self._take_from_shelf(plan)
                    self.queue.put(plan)
                    self.tally.add("arrivals")
                if sc.end is not None:
                    return
                day += 1
        finally:
            self.arrivals_done.set()

    def _product(self, sku: str) -> Any:
        assert self.book is not None
        return next(p for p in self.book.products if p.sku == sku)

    def _take_from_shelf(self, plan: ShopperPlan) -> None:
        assert self.cell is not None
        for item in (*plan.items, *plan.put_back):
            if item.lane is not None:
                self.cell.take(item.lane, 1)
                self.tally.add("shelf_picks")
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
            try:
                plan = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if not kiosk.up.is_set():  # crashed: hand the shopper to another kiosk
                self.queue.put(plan)
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

    # Staff ---------------------------------------------------------------------------------

    def _staff(self) -> None:
        assert self.clock is not None
        assert self.cell is not None
        due: dict[str, float] = {}
        delay = self.scenario.staff.restock_delay
        while not self.stop_event.wait(0.5):
            try:
                for lane in self._lanes_alerting():
                    due.setdefault(lane, self.clock.elapsed() + delay)
            except Exception as exc:  # the cloud may be briefly unreachable
                log.info("staff cannot read alerts: %s", exc)
            for lane, when in list(due.items()):
                if self.clock.elapsed() >= when:
                    del due[lane]
                    self._restock(lane)

    def _lanes_alerting(self) -> set[str]:
        if self.cloud is None:
            if self.shelf is None:
                return set()
            return {
                lane
                for lane, st in self.shelf.lane_states().items()
                if st["state"] in ("low", "out")
            }
        prefix = f"{SHELF}/"
        return {
            a["source"][len(prefix) :]
            for a in self.cloud.open_alerts(self.store)
            if a["type"] in ("low_stock", "out_of_stock") and a["source"].startswith(prefix)
        } & set(self.lanes)

    def _restock(self, lane: str) -> None:
        assert self.cell is not None
        spec = self.lanes[lane]
        if self.cell.count(lane) > spec.low_stock_at:
            return  # someone already did, or the alert was a glitch
        qty = spec.capacity - self.cell.count(lane)
        if self.cloud is not None:
            ref = f"sim-restock-{lane}-{int(time.time() * 1000)}"
            try:
                self.cloud.receive(self.store, spec.sku, qty, ref)
            except Exception as exc:
                log.warning("restock of %s not booked in the cloud: %s", lane, exc)
                return
        put = self.cell.put(lane, qty)
        with self.tally.lock:
            self.tally.restocked[spec.sku] += put
            self.tally.stats["restocks"] += 1
        log.info("staff restocked %s (%s) with %d", lane, spec.sku, put)

    # Results -----------------------------------------------------------------------------------

    def local_sales(self) -> list[SaleData]:
        """Every sale the kiosks recorded locally (ground truth for the cloud)."""
        out: list[SaleData] = []
        for kiosk in self.kiosks.values():
            if kiosk.node is None:
                raise SimulatorError(f"{kiosk.node_id} is down: its sales cannot be read now")
            out.extend(kiosk.node.controller.store.open_sales()[0])
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
        when = self.clock.now().strftime("%H:%M") if self.clock else "--:--"
        return (
            f"[{when}] shoppers {s['arrivals']} · sales {s['sales']} · declines "
            f"{s['card_declined']} · manual entries {s['manual_entries']} · restocks "
            f"{s['restocks']} · faults {len(self.tally.faults)}"
        )
