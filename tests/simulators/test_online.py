"""Online shoppers in the simulation: a share of arrivals orders online, and an order is
placed, picked from the shelf item by item, made ready and collected, through the API."""

from __future__ import annotations

import queue
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.clock import SimClock
from simulators.online import OnlineOrders, goes_online
from simulators.scenario import Scenario
from simulators.shoppers import Item, ShopperPlan
from simulators.tally import Tally


@dataclass
class FakeCloud:
    """The REST calls the online path makes, recorded; ``stock`` says whether an order fits."""

    stock: bool = True
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def place_order(self, store: str, lines: dict[str, int]) -> dict[str, Any] | None:
        self.calls.append(("place", store, *sorted(f"{k}x{v}" for k, v in lines.items())))
        return {"order_id": "OR-1", "pickup_code": "123456"} if self.stock else None

    def order_action(self, order_id: str, action: str) -> bool:
        self.calls.append((action, order_id))
        return True

    def scan_for_order(self, order_id: str, code: str) -> bool:
        self.calls.append(("scan", code))
        return True

    def collect(self, store: str, pickup_code: str) -> bool:
        self.calls.append(("collect", pickup_code))
        return True


@dataclass
class FakeCell:
    taken: Counter[str] = field(default_factory=Counter)

    def take(self, lane: str, n: int) -> None:
        self.taken[lane] += n


@dataclass
class FakeSim:
    """The parts of :class:`StoreSimulation` the online path touches."""

    cloud: FakeCloud | None
    share: float
    store: str = "demo"
    tally: Tally = field(default_factory=Tally)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    stop_event: threading.Event = field(default_factory=threading.Event)
    queue: queue.Queue[ShopperPlan] = field(default_factory=queue.Queue)
    cell: FakeCell = field(default_factory=FakeCell)
    clock: SimClock = field(default_factory=lambda: SimClock(datetime.now(UTC), 1_000_000))
    at_kiosk: list[int] = field(default_factory=list)

    @property
    def scenario(self) -> Scenario:
        return Scenario.model_validate({"name": "t", "shoppers": {"online_share": self.share}})

    def _take_from_shelf(self, plan: ShopperPlan) -> None:
        self.at_kiosk.append(plan.shopper_id)


PLAN = ShopperPlan(
    1,
    36_000.0,
    (Item("MILK", "06901234567892", 1030.0, lane="l1"), Item("MILK", "06901234567892", 1030.0,
     lane="l1"), Item("TEA", "06901234567915", 250.0)),
)  # fmt: skip


def _online(sim: FakeSim) -> OnlineOrders:
    return OnlineOrders(sim)  # type: ignore[arg-type]  # a behavioural stand-in


def test_a_share_of_shoppers_orders_online() -> None:
    rng = random.Random(3)
    picks = [goes_online(0.25, rng) for _ in range(4000)]
    assert 0.22 < sum(picks) / len(picks) < 0.28
    assert not any(goes_online(0.0, rng) for _ in range(100))
    sim = FakeSim(FakeCloud(), share=1.0)
    _online(sim).route(PLAN)
    assert sim.queue.empty()
    assert sim.at_kiosk == []
    offline = FakeSim(None, share=1.0)  # no cloud API: everybody walks to a kiosk
    _online(offline).route(PLAN)
    assert offline.queue.get_nowait() is PLAN
    assert offline.at_kiosk == [1]


def test_an_order_is_placed_picked_from_the_shelf_and_collected() -> None:
    cloud = FakeCloud()
    sim = FakeSim(cloud, share=1.0)
    assert _online(sim).fulfil(PLAN)
    assert cloud.calls == [
        ("place", "demo", "MILKx2", "TEAx1"),
        ("pick", "OR-1"),
        ("scan", "06901234567892"),
        ("scan", "06901234567892"),
        ("scan", "06901234567915"),
        ("ready", "OR-1"),
        ("collect", "123456"),
    ]
    assert sim.cell.taken == Counter({"l1": 2})  # the picker empties the lane, not a shopper
    assert sim.tally.stats["online_orders"] == sim.tally.stats["online_collected"] == 1


def test_an_order_the_store_cannot_take_is_refused() -> None:
    sim = FakeSim(FakeCloud(stock=False), share=1.0)
    assert not _online(sim).fulfil(PLAN)
    assert sim.tally.stats["online_refused"] == 1
    assert sim.cell.taken == Counter()
