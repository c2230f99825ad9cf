"""The activity script: shoppers arrive (Poisson), a clerk restocks, foreign items come and go.

Every visit is one of: a pick (1 unit, or 2-4 at once), a put (a shopper returns units they
took from this lane, so each returned unit keeps its own weight), a pick put back shortly
after, two neighbouring lanes at once, a press without moving anything, or a foreign item
put on a lane. Clerk restocks and foreign removals are scheduled for later.
"""

from __future__ import annotations

import numpy as np

from bench.shelfgen.contact import Contact
from bench.shelfgen.lanes import distinguishable
from bench.shelfgen.shopfloor import START_S, Shopfloor

QUICK_GAP_S = (1.0, 2.5)
CLERK_GAP_S = (2.0, 5.0)


def run(floor: Shopfloor) -> None:
    """Play the whole script; the results are in ``floor.contacts`` and ``floor.truth``."""
    rate = floor.params.activity.events_per_min
    arrival = START_S + (floor.rng.exponential(60.0 / rate) if rate > 0 else np.inf)
    while True:
        due = floor.next_pending(arrival)
        if due is not None:
            t, kind, lane = due
            if t > floor.end:
                break
            if kind == "restock":
                restock(floor, lane, t)
            else:
                foreign_remove(floor, lane, t)
            continue
        if arrival > floor.end:
            break
        visit(floor, float(arrival))
        arrival += floor.rng.exponential(60.0 / rate)
    floor.truth.sort(key=lambda r: (r["t"], r["lane"]))


def visit(floor: Shopfloor, t: float) -> None:
    act, r = floor.params.activity, floor.rng.random()
    for share, action in (
        (act.foreign_share, foreign_put),
        (act.two_lane_share, two_lanes),
        (act.quick_share, quick),
        (floor.params.touch.browse_share, browse),
    ):
        if r < share:
            action(floor, t)
            return
        r -= share
    lane = floor.choose_lane()
    if lane is not None:
        shop(floor, lane, t)


def shop(floor: Shopfloor, lane: int, t: float) -> None:
    st = floor.states[lane]
    if st.taken and not st.target and floor.rng.random() < 0.3:
        put_back(floor, lane, t)
    else:
        pick(floor, lane, t)


def _qty(floor: Shopfloor) -> int:
    if floor.rng.random() < floor.params.activity.multi_share:
        return int(floor.rng.integers(2, 5))
    return 1


def pick(
    floor: Shopfloor, lane: int, t: float, gap: tuple[float, float] | None = None
) -> Contact | None:
    st = floor.states[lane]
    keep_one = st.foreign is not None or "stockout" not in floor.params.phenomena
    qty = min(_qty(floor), len(st.units) - (1 if keep_one else 0))
    if qty < 1:
        return None
    chosen = sorted(floor.rng.choice(len(st.units), qty, replace=False).tolist(), reverse=True)
    weights = [st.units[i] for i in chosen]
    c = floor.touch(lane, t, [-w for w in weights], gap)
    if c is None:
        return None
    before = len(st.units)
    for i in chosen:
        del st.units[i]
    st.taken.extend(weights)
    floor.record(c, "pick", qty, -sum(weights))
    floor.count_changed(c, before)
    return c


def put_back(floor: Shopfloor, lane: int, t: float, units: list[float] | None = None) -> None:
    st, cap = floor.states[lane], floor.lanes[lane].capacity
    if units is None:
        n = min(_qty(floor), len(st.taken), cap - len(st.units))
        units = [st.taken[-1 - i] for i in range(max(n, 0))]
    units = units[: cap - len(st.units)]
    if not units:
        return
    c = floor.touch(lane, t, list(units))
    if c is None:
        return
    before = len(st.units)
    for w in units:
        st.taken.remove(w)
    st.units.extend(units)
    floor.record(c, "put", len(units), sum(units))
    floor.count_changed(c, before)


def quick(floor: Shopfloor, t: float) -> None:
    """A pick, then (1-2.5 s after the hand left) some or all of it put back."""
    lane = floor.choose_lane()
    if lane is None or floor.states[lane].target:
        return
    c = pick(floor, lane, t, gap=QUICK_GAP_S)
    if c is not None:
        moved = [-g for _, g, _ in c.changes]
        back = moved if floor.rng.random() < 0.5 else moved[:1]
        put_back(floor, lane, c.t1, back)


def two_lanes(floor: Shopfloor, t: float) -> None:
    """Both hands: two neighbouring lanes touched within 0.5 s of each other (30 % of the
    time the second hand only rests on its lane)."""
    a = floor.choose_lane()
    if a is None:
        return
    b = a + 1 if a + 1 < len(floor.lanes) else a - 1
    if b < 0:
        return
    start = max(t, floor.states[a].free_at, floor.states[b].free_at)
    shop(floor, a, start)
    if floor.rng.random() < 0.3:  # the other hand only rests on the neighbour
        floor.touch(b, start + floor.u((0.0, 0.5)), [])
    else:
        shop(floor, b, start + floor.u((0.0, 0.5)))


def browse(floor: Shopfloor, t: float) -> None:
    """The hand presses the lane (reading a label, pushing items forward); nothing moves."""
    lane = floor.choose_lane()
    if lane is not None:
        floor.touch(lane, t, [])


def _foreign_object(floor: Shopfloor, lane: int) -> tuple[str, float] | None:
    """Another lane's unit (often one a shopper took from it) or an unknown object."""
    host = floor.lanes[lane]
    for _ in range(12):
        if floor.rng.random() < 0.5:
            weight = float(np.exp(floor.rng.uniform(np.log(15), np.log(1500))))
            if distinguishable(weight, host, host.capacity):
                return "unknown", weight
            continue
        other = int(floor.rng.choice([i for i in range(len(floor.lanes)) if i != lane]))
        src = floor.states[other]
        carried = bool(src.taken)
        weight = src.taken[-1] if carried else floor.lanes[other].unit(floor.rng)[0]
        if distinguishable(weight, host, host.capacity):
            if carried:
                src.taken.pop()
            return f"sku:{floor.lanes[other].sku}", weight
    return None


def foreign_put(floor: Shopfloor, t: float) -> None:
    free = [i for i, s in enumerate(floor.states) if s.foreign is None and s.units]
    lane = floor.choose_lane(free)
    if lane is None:
        return
    obj = _foreign_object(floor, lane)
    if obj is None:
        return
    c = floor.touch(lane, t, [obj[1]])
    if c is None:
        return
    floor.states[lane].foreign = obj
    floor.record(c, "foreign", 1, obj[1], action="put", object=obj[0])
    if floor.rng.random() >= floor.params.activity.foreign_left_share:
        floor.later(c.t1 + floor.u((10.0, 900.0)), "foreign_remove", lane)


def foreign_remove(floor: Shopfloor, lane: int, t: float) -> None:
    obj = floor.states[lane].foreign
    if obj is None:
        return
    c = floor.touch(lane, t, [-obj[1]])
    if c is None:
        return
    floor.states[lane].foreign = None
    floor.record(c, "foreign", 1, -obj[1], action="remove", object=obj[0])


def restock(floor: Shopfloor, lane: int, t: float) -> None:
    """A clerk fills the lane in 1-3 placements (more past 36 units) of 2-12 new units."""
    st, info = floor.states[lane], floor.lanes[lane]
    st.restock_pending = False
    total = info.capacity - len(st.units) - int(floor.rng.integers(0, 3))
    if total < 2:
        return
    parts = min(max(int(floor.rng.integers(1, 4)), -(-total // 12)), total // 2)
    sizes = np.diff(np.linspace(0, total, parts + 1).round()).astype(int)
    start = t
    for size in sizes:
        units = info.unit(floor.rng, int(size))
        c = floor.touch(lane, start, units, CLERK_GAP_S)
        if c is None:
            return
        before = len(st.units)
        st.units.extend(units)
        floor.record(c, "put", int(size), sum(units), by="clerk")
        floor.count_changed(c, before)
        start = st.free_at
