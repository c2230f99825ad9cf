"""The pure shopper model: arrivals follow the hour-of-day profile; plans respect the shelf."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.pricebook import Product
from simulators.clock import SimClock
from simulators.scenario import ShopperProfile
from simulators.shoppers import arrivals, expected_arrivals, plan_shopper


def product(i: int) -> Product:
    return Product(
        sku=f"P{i}",
        name=f"P{i}",
        gtins=[f"{i:014d}"],
        price=Decimal("2.00"),
        unit_weight_g=Decimal(300),
    )


def test_arrivals_follow_the_profile_and_stay_in_hours() -> None:
    profile = {9: 10.0, 12: 40.0}
    times = arrivals(profile, 8 * 3600, 14 * 3600, random.Random(1))
    hours = [int(t // 3600) for t in times]
    assert set(hours) <= {9, 12}
    expected = expected_arrivals(profile, 8 * 3600, 14 * 3600)
    assert expected == 50.0
    assert 30 <= len(times) <= 75
    assert hours.count(12) > hours.count(9)
    assert times == sorted(times)
    assert times == arrivals(profile, 8 * 3600, 14 * 3600, random.Random(1))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_a_plan_never_takes_more_than_a_lane_holds(seed: int, counts: list[int]) -> None:
    rng = random.Random(seed)
    stock = {f"l{i}": (product(i), n) for i, n in enumerate(counts)}
    profile = ShopperProfile(basket=(1, 12), shelf_fraction=1.0, put_back_rate=0.5)
    plan = plan_shopper(1, 0.0, profile, stock, [product(99)], [], ["13800000001"], rng)
    for lane, (_, n) in stock.items():
        taken = sum(1 for i in (*plan.items, *plan.put_back) if i.lane == lane)
        assert taken <= n
    assert 0 <= plan.declines <= 2


def test_sim_clock_runs_speed_times_faster() -> None:
    now = [100.0]
    from datetime import UTC, datetime

    clock = SimClock(datetime(2026, 1, 1, 8, tzinfo=UTC), 60.0, monotonic=lambda: now[0])
    now[0] += 10.0
    assert clock.elapsed() == 600.0
    assert clock.now().hour == 8
    assert clock.now().minute == 10
    assert clock.real_seconds(120.0) == 2.0
