"""The simulated store's stock as the ledger sees it: opening stock is booked as receivings
with cost, deliveries through purchase orders, the end-of-day count as a stocktake. Sales
book themselves (the kiosks' sale events); restocking a lane from the backroom books nothing
(it moves units inside the store). So the ledger balances: on hand = received − sold −
shrink found by count.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from contracts.pricebook import PriceBook, Product
from shelf_sensors.lanes import LaneSpec
from simulators.devices.loadcell import LaneModel
from simulators.scenario import ShelfProfile
from simulators.shoppers import choose_lane_products, restricted, sellable

if TYPE_CHECKING:
    from simulators.store import StoreSimulation

log = logging.getLogger(__name__)

OPENING_UNITS = 30
"""Units of each product the store holds off the sensed shelf when the day starts."""
CASE = 24
"""Units in one delivery of a lane product."""
SUPPLIER = "WHOLESALE"
"""The demo seed's wholesaler (cloud.seed): deliveries are ordered from it."""
COST_SHARE = Decimal("0.65")
"""Purchase cost as a share of the shelf price (a convenience store's ~35 % margin)."""


def unit_cost(product: Product) -> Decimal:
    return (product.price * COST_SHARE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def book_opening(sim: StoreSimulation, day: date) -> Counter[str]:
    """Top every product the shoppers may take up to its opening level (lane units plus
    :data:`OPENING_UNITS`), booked as one receiving per product; returns the backroom."""
    assert sim.book is not None
    assert sim.cell is not None
    shelf: Counter[str] = Counter()
    for lane, spec in sim.lanes.items():
        shelf[spec.sku] += sim.cell.count(lane)
    products = [*sellable(sim.book), *restricted(sim.book)]
    if sim.cloud is None:
        return Counter({sku: OPENING_UNITS for sku in shelf})
    have = sim.cloud.on_hand(sim.store)
    backroom: Counter[str] = Counter()
    for product in products:
        on_hand = int(have.get(product.sku, Decimal(0)))
        want = OPENING_UNITS + shelf[product.sku]
        if on_hand < want:
            ref = f"OPEN-{sim.store}-{day.isoformat()}"
            sim.cloud.receive(sim.store, product.sku, want - on_hand, ref, unit_cost(product))
            sim.tally.received[product.sku] += want - on_hand
            on_hand = want
        if product.sku in shelf:
            backroom[product.sku] = max(0, on_hand - shelf[product.sku])
    log.info("opening stock booked for %d products", len(sim.tally.received))
    return backroom


def deliver(sim: StoreSimulation, sku: str, backroom: Counter[str]) -> None:
    """A case arrives for a lane product running short in the backroom: ordered from the
    wholesaler and received against the order (a plain receiving without a buyer)."""
    assert sim.book is not None
    product = next(p for p in sim.book.products if p.sku == sku)
    if sim.cloud is not None:
        ref = f"DEL-{sim.store}-{sku}-{int(sim.clock.elapsed()) if sim.clock else 0}"
        sim.cloud.deliver(sim.store, sku, CASE, ref, unit_cost(product), SUPPLIER)
    backroom[sku] += CASE
    with sim.tally.lock:
        sim.tally.received[sku] += CASE
        sim.tally.stats["deliveries"] += 1


def count_lane_products(sim: StoreSimulation, backroom: Counter[str]) -> dict[str, Decimal]:
    """End of day: staff count each lane product (shelf + backroom) and book the stocktake;
    the variance is the shrink the ledger could not see. Returns the variances by SKU."""
    assert sim.cell is not None
    assert sim.cloud is not None
    counted: Counter[str] = Counter()
    for lane, spec in sim.lanes.items():
        counted[spec.sku] += sim.cell.count(lane)
    for sku in counted:
        counted[sku] += backroom[sku]
    moves = sim.cloud.stocktake(sim.store, dict(counted), "end-of-day count")
    return {str(m["sku"]): Decimal(str(m["qty"])) for m in moves}


def maybe_shrink(sim: StoreSimulation, lane: str) -> None:
    """Now and then a unit leaves the lane unpaid; the shelf sees it, the ledger does not."""
    assert sim.cell is not None
    rate = sim.scenario.shoppers.shrink_rate
    if rate > 0 and sim.rng.random() < rate and sim.cell.count(lane) > 0:
        sim.cell.take(lane, 1)
        with sim.tally.lock:
            sim.tally.shrink[sim.lanes[lane].sku] += 1


def shelf_lanes(
    book: PriceBook, prof: ShelfProfile, rng: random.Random, seed: int
) -> tuple[list[LaneModel], list[LaneSpec]]:
    """The sensed shelf's lanes: products chosen by ``seed``, opening counts from ``rng``."""
    products = choose_lane_products(book, prof.lanes, random.Random(seed))
    models, specs = [], []
    for i, product in enumerate(products):
        lane = f"l{i + 1}"
        start = rng.randint(prof.low_stock_at + 1, prof.capacity)
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
    return models, specs
