"""The shopper model, pure: arrivals by hour of day and what each shopper does.

No I/O and no clock: arrivals are simulated seconds after midnight, drawn from a seeded
``random.Random``; the orchestrator (:mod:`simulators.store`) plays them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

from contracts.pricebook import PriceBook, Product
from simulators.scenario import ShopperProfile

PayMethod = Literal["card", "cash", "qr"]


@dataclass(frozen=True, slots=True)
class Item:
    """One unit the shopper buys: from a sensed lane (``lane``) or an unsensed shelf."""

    sku: str
    gtin: str
    unit_weight_g: float
    lane: str | None = None
    scan_fails: bool = False


@dataclass(frozen=True, slots=True)
class ShopperPlan:
    shopper_id: int
    arrives_at: float
    """Simulated seconds after midnight."""
    items: tuple[Item, ...]
    put_back: tuple[Item, ...] = ()
    member_phone: str | None = None
    pay: PayMethod = "card"
    declines: int = 0
    restricted: Item | None = None
    extra: dict[str, str] = field(default_factory=dict)


def arrivals(
    per_hour: dict[int, float], start_s: float, end_s: float, rng: random.Random
) -> list[float]:
    """A non-homogeneous Poisson process: exponential gaps at each hour's rate (thinning)."""
    peak = max(per_hour.values(), default=0.0)
    if peak <= 0 or end_s <= start_s:
        return []
    out: list[float] = []
    t = start_s
    while True:
        t += rng.expovariate(peak / 3600.0)
        if t >= end_s:
            return out
        rate = per_hour.get(int(t // 3600) % 24, 0.0)
        if rng.random() < rate / peak:
            out.append(t)


def sellable(book: PriceBook) -> list[Product]:
    """Products a simulated shopper can take: priced by unit, with a GTIN and a unit weight."""
    return [
        p
        for p in book.products
        if p.active and not p.weighed and p.gtins and p.unit_weight_g and p.min_age is None
    ]


def restricted(book: PriceBook) -> list[Product]:
    return [
        p
        for p in book.products
        if p.active and not p.weighed and p.gtins and p.unit_weight_g and p.min_age
    ]


def choose_lane_products(book: PriceBook, lanes: int, rng: random.Random) -> list[Product]:
    """Products for the sensed lanes: light enough that a full lane fits a 20 kg cell."""
    pool = [p for p in sellable(book) if 80 <= float(p.unit_weight_g or 0) <= 1500]
    if len(pool) < lanes:
        pool = sellable(book)
    pool.sort(key=lambda p: p.sku)
    return rng.sample(pool, min(lanes, len(pool)))


def _item(product: Product, lane: str | None, fails: bool) -> Item:
    return Item(product.sku, product.gtins[0], float(product.unit_weight_g or 0), lane, fails)


def plan_shopper(
    shopper_id: int,
    arrives_at: float,
    profile: ShopperProfile,
    lane_stock: dict[str, tuple[Product, int]],
    others: list[Product],
    age_restricted: list[Product],
    members: list[str],
    rng: random.Random,
) -> ShopperPlan:
    """What one shopper takes and how they pay; ``lane_stock`` is lane → (product, units)."""
    lo, hi = profile.basket
    wanted = rng.randint(lo, hi)
    left = dict(lane_stock)
    items: list[Item] = []
    for _ in range(wanted):
        fails = rng.random() < profile.failed_scan_rate
        stocked = [lane for lane, (_, n) in sorted(left.items()) if n > 0]
        if stocked and (rng.random() < profile.shelf_fraction or not others):
            lane = rng.choice(stocked)
            product, n = left[lane]
            left[lane] = (product, n - 1)
            items.append(_item(product, lane, fails))
        elif others:
            items.append(_item(rng.choice(others), None, fails))
    put_back: list[Item] = []
    if items and rng.random() < profile.put_back_rate:
        shelf_items = [i for i in items if i.lane is not None]
        if shelf_items:
            back = rng.choice(shelf_items)
            items.remove(back)
            put_back.append(back)
    special = None
    if age_restricted and rng.random() < profile.age_restricted_rate:
        special = _item(rng.choice(age_restricted), None, False)
    pay: PayMethod = "cash" if rng.random() < profile.cash_rate else "card"
    declines = 0
    if pay == "card":
        while declines < 2 and rng.random() < profile.decline_rate:
            declines += 1
    phone = rng.choice(members) if members and rng.random() < profile.member_rate else None
    return ShopperPlan(
        shopper_id=shopper_id,
        arrives_at=arrives_at,
        items=tuple(items),
        put_back=tuple(put_back),
        member_phone=phone,
        pay=pay,
        declines=declines,
        restricted=special,
    )


def expected_arrivals(per_hour: dict[int, float], start_s: float, end_s: float) -> float:
    """The mean number of arrivals between two times of day (for tests and progress)."""
    total = 0.0
    t = start_s
    while t < end_s:
        hour_end = min(end_s, (math.floor(t / 3600) + 1) * 3600)
        total += per_hour.get(int(t // 3600) % 24, 0.0) * (hour_end - t) / 3600
        t = hour_end
    return total


DEMO_MEMBERS = [f"1380000{i:04d}" for i in range(1, 51)]
"""Phone numbers of the members ``cloud seed`` creates."""
