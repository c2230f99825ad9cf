"""Shoppers who order online (``shoppers.online_share``): the order goes to the cloud, the
simulated staff pick it from the shelves (a sensed lane's units leave when they are scanned,
as a picker takes them), mark it ready, and the shopper collects it by its pickup code. All
through the REST API, on the simulated clock; without the cloud API nobody orders online.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections import Counter
from typing import TYPE_CHECKING

from simulators.exceptions import SimulatorError
from simulators.shoppers import ShopperPlan

if TYPE_CHECKING:
    from simulators.store import StoreSimulation

log = logging.getLogger(__name__)

PICK_AFTER_S = 5 * 60.0
"""Simulated seconds from placing to a picker starting (the board is watched)."""
COLLECT_AFTER_S = 20 * 60.0
"""Simulated seconds from ready to the shopper at the kiosk with the pickup code."""


def goes_online(share: float, rng: random.Random) -> bool:
    """Pure: whether the next shopper orders online instead of walking to a kiosk."""
    return share > 0 and rng.random() < share


class OnlineOrders:
    """Routes each arriving shopper: a share to online orders (the ``sim-online`` thread),
    the rest to the kiosks' queue as before."""

    def __init__(self, sim: StoreSimulation) -> None:
        self.sim = sim
        self.orders: queue.Queue[ShopperPlan] = queue.Queue()

    def route(self, plan: ShopperPlan) -> None:
        sim = self.sim
        sim.tally.add("arrivals")
        share = sim.scenario.shoppers.online_share
        if sim.cloud is not None and goes_online(share, sim.rng):
            self.orders.put(plan)
            return
        sim._take_from_shelf(plan)
        sim.queue.put(plan)

    def run(self) -> None:
        """Each order on its own thread: its waits are simulated minutes, and orders overlap."""
        while not self.sim.stop_event.is_set():
            try:
                plan = self.orders.get(timeout=0.2)
            except queue.Empty:
                continue
            name = f"sim-online-{plan.shopper_id}"
            threading.Thread(target=self._fulfil, args=(plan,), name=name, daemon=True).start()

    def _fulfil(self, plan: ShopperPlan) -> None:
        try:
            self.fulfil(plan)
        except SimulatorError as exc:  # the cloud may be briefly unreachable
            log.info("online order of shopper %d lost: %s", plan.shopper_id, exc)
            self.sim.tally.add("online_failed")
        except Exception:
            log.exception("online order of shopper %d failed", plan.shopper_id)
            self.sim.tally.add("online_failed")

    def fulfil(self, plan: ShopperPlan) -> bool:
        """Place, pick, ready, collect; False when the store could not take the order."""
        sim, cloud, clock = self.sim, self.sim.cloud, self.sim.clock
        assert cloud is not None
        assert clock is not None
        wanted = Counter(item.sku for item in plan.items)
        order = cloud.place_order(sim.store, dict(wanted))
        if order is None:
            sim.tally.add("online_refused")  # not enough stock available
            return False
        sim.tally.add("online_orders")
        order_id = str(order["order_id"])
        if not clock.sleep(PICK_AFTER_S, sim.stop_event) or not cloud.order_action(
            order_id, "pick"
        ):
            return False
        for item in plan.items:
            if item.lane is not None and sim.cell is not None:
                sim.cell.take(item.lane, 1)  # the picker's shelf pick (never shrink)
            cloud.scan_for_order(order_id, item.gtin)
        if not cloud.order_action(order_id, "ready"):
            return False
        if not clock.sleep(COLLECT_AFTER_S, sim.stop_event):
            return False
        collected = cloud.collect(sim.store, str(order["pickup_code"]))
        sim.tally.add("online_collected" if collected else "online_failed")
        return collected
