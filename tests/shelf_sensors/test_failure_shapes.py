"""One small hand-built trace per failure shape of issue 17, replayed as ``shelf replay`` does.

Each trace is a lane's true weight (piecewise levels), plus what a real shelf adds: white
noise, a hand resting on the lane, a rail run or a spike burst. Each of these failed on the
detector before issue 17 (checked by running the same traces against that commit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shelf_sensors.detection import LanePipeline
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.quantity import UnitModel
from shelf_sensors.replay import read_trace, replay

RATE = 40.0


class Trace:
    """A lane's grams at ``RATE`` Hz: levels set from a time on, additions over a span."""

    def __init__(
        self, seconds: float, start_g: float, sigma: float = 0.5, seed: int = 1, rate: float = RATE
    ) -> None:
        self.rate = rate
        self.t = np.arange(0.0, seconds, 1.0 / rate)
        self.g = np.full(self.t.shape, start_g)
        self.code = np.zeros(self.t.shape, dtype=bool)
        self.rng = np.random.default_rng(seed)
        self.sigma = sigma

    def step(self, at: float, delta: float, ramp_s: float = 0.3) -> Trace:
        """The load changes by ``delta`` over ``ramp_s`` from ``at`` (an item moved)."""
        self.g += delta * np.clip((self.t - at) / ramp_s, 0.0, 1.0)
        return self

    def hand(self, t0: float, t1: float, press_g: float, still: bool = False) -> Trace:
        """A hand resting on the lane from ``t0`` to ``t1`` with a 3 % tremor at 8 Hz;
        unless ``still`` its pressure also wanders by 20 % at 0.8 Hz."""
        on = (self.t >= t0) & (self.t < t1)
        move = 0.03 * np.sin(2 * np.pi * 8.0 * self.t)
        if not still:
            move += 0.2 * np.sin(2 * np.pi * 0.8 * self.t)
        self.g[on] += press_g * (1.0 + move[on])
        return self

    def ring(self, at: float, amplitude_g: float, hz: float, tau_s: float) -> Trace:
        """The lane rings after a hand lets go at ``at``: a damped oscillation."""
        dt = np.clip(self.t - at, 0.0, None)
        wave = amplitude_g * np.exp(-dt / tau_s) * np.sin(2 * np.pi * hz * dt)
        self.g += np.where(self.t >= at, wave, 0.0)
        return self

    def burst(self, at: float, value: float, samples: int) -> Trace:
        """``samples`` readings from ``at`` replaced by ``value`` exactly (a rail code or
        a spike: the ADC's code, no noise on it)."""
        i = int(at * self.rate)
        self.g[i : i + samples] = value
        self.code[i : i + samples] = True
        return self

    def rows(self) -> list[tuple[float, str, float | None]]:
        noise = self.rng.normal(0.0, self.sigma, self.g.shape)
        noisy = np.where(self.code, self.g, self.g + noise)
        return [(float(t), "a1", float(g)) for t, g in zip(self.t, noisy, strict=True)]


def run(trace: Trace, unit_g: float, capacity: int = 20) -> list[tuple[str, int, int]]:
    spec = LaneSpec(lane="a1", sku="s", unit_weight_g=unit_g, capacity=capacity, low_stock_at=0)
    return [
        (e.type, e.qty, e.count)
        for e in replay(trace.rows(), {"a1": spec})
        if e.type in ("pick", "put", "foreign")
    ]


def run_file(name: str, unit_g: float, capacity: int) -> list[tuple[str, int]]:
    """(type, qty) of the pick/put/foreign lines ``shelf replay`` gives for ``data/<name>``,
    one lane ``a1`` cut from a generated trace."""
    with (Path(__file__).parent / "data" / name).open() as f:
        rows = list(read_trace(f, lambda e: None))
    spec = LaneSpec(lane="a1", sku="s", unit_weight_g=unit_g, capacity=capacity, low_stock_at=0)
    events = [(e.type, e.qty) for e in replay(rows, {"a1": spec})]
    return [e for e in events if e[0] in ("pick", "put", "foreign")]


def test_single_pick_under_a_resting_hand_is_one_unit() -> None:
    """A hand rests still (434 g, tremor only) on a lane of 31 g items while it takes one:
    the old smoothing hid the tremor, the resting level became an event and the pick came
    out as a put of 13 and a pick of 14 units."""
    unit = 31.0
    trace = Trace(20.0, 30 * unit, sigma=0.4)
    trace.hand(4.0, 6.8, 14 * unit, still=True).step(4.4, -unit)
    assert run(trace, unit, capacity=40) == [("pick", 1, 29)]


def test_rail_runs_and_spike_bursts_while_settling_do_not_change_the_count() -> None:
    """Rail codes (−full scale) and spike bursts right after a pick: dropped as readings no
    lane can weigh, or outvoted in the Hampel window (a guard; the old filters coped too)."""
    unit = 120.0
    trace = Trace(20.0, 10 * unit)
    trace.hand(4.0, 5.0, 60.0).step(4.3, -unit)
    trace.burst(5.6, -20_000.0, 6).burst(6.4, 4_000.0, 4).burst(7.3, -20_000.0, 9)
    assert run(trace, unit) == [("pick", 1, 9)]


def test_a_run_of_one_plausible_rail_code_at_10_hz_is_not_an_empty_lane() -> None:
    """Raw 0 through the lane's calibration reads −57.14 g, ten times in a row (1 s at
    10 Hz). A guard for the shorter smoothing of issue 17, which would take the run for a
    settled level and empty the lane (the old slow EMA never settled on it)."""
    unit = 1130.0
    trace = Trace(20.0, 3 * unit, sigma=1.4, rate=10.0)
    trace.burst(8.0, -57.14, 10)
    assert run(trace, unit, capacity=12) == []


def test_three_heavy_units_of_a_light_item_are_a_pick_of_three_not_foreign() -> None:
    """Three 31 g units, each 6 % over the mean (spread is a few %): 5.6 g off 3μ is a count,
    not a foreign object (the residual no count explains is ≥ 10 g or 0.3 μ)."""
    unit = 31.0
    trace = Trace(20.0, 20 * unit, sigma=0.4)
    trace.hand(5.0, 6.0, 15.0).step(5.3, -3 * unit * 1.06)
    assert run(trace, unit, capacity=30) == [("pick", 3, 17)]


def test_heaviest_lane_pick_and_put_back_one_second_apart_are_both_seen() -> None:
    """1.85 kg units on a 50 kg cell (σ 3 g): a shopper takes one and puts it back 1.1 s
    after letting go. The slow smoothing merged them into nothing before issue 17."""
    unit = 1850.0
    trace = Trace(20.0, 8 * unit, sigma=3.0)
    trace.hand(4.0, 5.0, 150.0).step(4.3, -unit)
    trace.hand(6.1, 7.0, 150.0).step(6.3, unit)
    assert run(trace, unit) == [("pick", 1, 7), ("put", 1, 8)]


def test_put_after_a_resting_hand_is_a_put() -> None:
    """A hand rests still on the lane (200 g, tremor only, 2.8 s) before setting one unit
    down: the resting level is not an event (it was a put of 2, then a pick of 1) and the
    put is measured from the lane as it was before the hand."""
    unit = 100.0
    trace = Trace(20.0, 10 * unit)
    trace.hand(4.0, 7.5, 200.0, still=True).step(6.8, unit, ramp_s=0.2)
    assert run(trace, unit) == [("put", 1, 11)]


def test_two_restocks_three_seconds_apart_on_a_ringing_heavy_lane_are_two_puts() -> None:
    """A clerk sets 3, then 2 units of 900 g on a ringing lane; the second hand arrives
    1 s after the lane settles, before a put may count (a resting hand must hold still
    longer). Both puts were merged into one put of 5, dated after the second."""
    unit = 900.0
    trace = Trace(20.0, 5 * unit, sigma=2.0)
    trace.hand(4.0, 6.0, 200.0).step(4.5, 3 * unit).ring(6.0, 120.0, 6.0, 0.2)
    trace.hand(8.1, 10.0, 200.0).step(8.6, 2 * unit).ring(10.0, 120.0, 6.0, 0.2)
    assert run(trace, unit, capacity=12) == [("put", 3, 8), ("put", 2, 10)]


def test_a_put_taken_back_two_seconds_later_is_a_put_and_a_pick() -> None:
    """A shopper sets one 300 g unit down and takes it again 1 s after the lane settled:
    the lane ends where it began, and both events were lost."""
    unit = 300.0
    trace = Trace(20.0, 6 * unit, sigma=1.0)
    trace.hand(4.0, 5.0, 150.0).step(4.3, unit).ring(5.0, 40.0, 8.0, 0.1)
    trace.hand(6.6, 7.6, 150.0).step(7.0, -unit)
    assert run(trace, unit) == [("put", 1, 7), ("pick", 1, 6)]


def test_a_restock_of_a_lighter_batch_is_a_put_of_twelve_not_foreign() -> None:
    """The units on the lane weigh 40.9 g (nominal 40.5 g, spread 2 %), so the learned mean
    is 40.9 g; the clerk then sets down 12 units of a batch that averages 40.0 g. 9.8 g off
    12 μ̂ was beyond 3.5 σ of nσu² (the error of μ̂ itself, ×12, was not modelled), so both
    restocks were foreign and the lane later ran "out of stock" with 24 units on it
    (rails seed 1003)."""
    unit = 40.5
    trace = Trace(130.0, 25 * 40.9, sigma=0.65)
    for i in range(20):
        trace.hand(4.0 + 4 * i, 5.0 + 4 * i, 30.0).step(4.3 + 4 * i, -(40.9 + (-1) ** i * 0.8))
    trace.hand(90.0, 92.0, 150.0).step(90.5, 12 * 40.0, ramp_s=1.0)
    events = run(trace, unit, capacity=40)
    assert events[:20] == [("pick", 1, 24 - i) for i in range(20)]
    assert events[20:] == [("put", 12, 17)]


def test_twelve_units_off_the_learned_mean_by_a_batch_error_are_a_count() -> None:
    """The same shape on the unit model alone: μ̂ learned from 33 single units is itself
    uncertain, and a count of n moves by n × that error."""
    model = UnitModel(40.5, 0.81)
    for i in range(33):
        model.learn(40.85 + (-1) ** i * 0.95, 0.5)
    est = model.estimate(480.3, 0.5, 45, 3.5, 8.2, 16.3)
    assert (est.qty, est.matches) == (12, True)


def test_a_pick_of_three_put_back_one_during_the_release_tail_is_two_events() -> None:
    """20 s of one lane from a generated trace (``mixed`` seed 1000, lane L4, from 955 s):
    a shopper takes 3 units of 39.7 g, lets go, and puts one back 1.7 s later. The release
    tail keeps the raw spread ~2× the quiet noise until the hand returns, so the lane never
    looked still and both became one pick of 2. Whole units below the last level, tightly,
    settle it (a hand only adds weight)."""
    assert run_file("pick3-putback1-ringing-tail.csv", 39.7, 80) == [("pick", 3), ("put", 1)]


def test_an_object_near_seven_units_on_a_lane_whose_first_load_agreed_is_foreign() -> None:
    """20 units of 32.7 g sit on the lane (their load agrees with the nominal weight); no
    single unit has been weighed yet when an unknown 238.7 g object (7.3 units) is set
    down. With the nominal mean counted as one unit's evidence, 7² var μ̂ excused the
    0.3 μ residual and it was a put of 7 (``foreign`` held-out seed 2000); the load is the
    mean of 20 units, so μ̂ is known to σu/√21 and the object is foreign."""
    trace = Trace(20.0, 20 * 32.7, sigma=0.5)
    trace.hand(5.0, 6.5, 60.0).step(5.5, 7.3 * 32.7)
    assert run(trace, 32.7, capacity=30) == [("foreign", 0, 20)]


def test_units_read_as_foreign_do_not_make_the_lane_out_of_stock() -> None:
    """30 units of 35 g; shoppers take 16 single units (35 ± 0.2 g, so μ̂ and σu are
    learned tight), then a clerk sets down 12 units of a batch 2.5 % light (10.5 g, 0.3 μ
    under 12 μ̂: foreign by z, yet within 0.4 μ of 12 units), then shoppers take the 14
    counted units. The net weight (the "foreign" 409.5 g taken off) read empty with a
    count of 0, and the lane went out of stock with 12 units on it (``spikes`` dev seed
    4002, ``mixed`` held-out 2001). Such weight may be units: the lane must read empty."""
    trace = Trace(75.0, 30 * 35.0, sigma=0.5)
    for i in range(16):
        trace.hand(2.0 + 2.5 * i, 2.8 + 2.5 * i, 30.0).step(2.3 + 2.5 * i, -35.0 - 0.2 * (-1) ** i)
    trace.hand(45.0, 47.0, 100.0).step(45.5, 12 * 35.0 - 10.5, ramp_s=1.0)
    trace.hand(55.0, 56.0, 50.0).step(55.3, -7 * 35.0)
    trace.hand(62.0, 63.0, 50.0).step(62.3, -7 * 35.0)
    spec = LaneSpec(lane="a1", sku="s", unit_weight_g=35.0, capacity=40, low_stock_at=0)
    events = [(e.type, e.qty, e.count) for e in replay(trace.rows(), {"a1": spec})]
    assert [e for e in events if e[0] in ("pick", "put", "foreign")][16:] == [
        ("foreign", 0, 14),
        ("pick", 7, 7),
        ("pick", 7, 0),
    ]
    assert not [e for e in events if e[0] == "out_of_stock"]


def test_a_pick_under_a_hand_that_stays_a_moment_is_one_pick_not_a_foreign_line() -> None:
    """The hand (44 g, pressure wandering) stays 2 s after taking one 250 g unit: the
    plateau 206 g down is within 0.2 μ of a unit, which made it a pick at once measured
    from the hand, and the hand leaving (−44 g) a foreign line (``mixed`` 3003, 0263)."""
    unit = 250.0
    trace = Trace(20.0, 24 * unit, sigma=1.0)
    trace.hand(4.0, 7.0, 44.0).step(4.6, -unit)
    assert run(trace, unit, capacity=40) == [("pick", 1, 23)]


def test_a_hand_pressing_harder_in_small_steps_then_leaving_is_no_event() -> None:
    """A hand presses 20 g, then 12 g more a second later (each under the 25 g event size),
    then leaves: the brief plateaus moved the reference level up with the hand, and the
    32 g drop when it left became a foreign line (``mixed`` 3003, 0263)."""
    unit = 250.0
    trace = Trace(20.0, 24 * unit, sigma=1.0)
    trace.step(4.0, 20.0, 0.1).step(5.0, 12.0, 0.1).step(5.7, -32.0, 0.1)
    assert run(trace, unit, capacity=40) == []


def test_a_count_only_the_grams_floor_accepts_does_not_teach_the_unit_weight() -> None:
    """47.8 g settles on a lane of 57.8 g units (a hand resting still): within 0.2 μ of a
    unit, so a put of one, but 10 g off is far outside the units' spread. Learning it
    pulled μ down and tripled the spread, and a 316 g foreign object later read as a put
    of 6 (``mixed`` 3001, 0263)."""
    unit = 57.8
    trace = Trace(20.0, 36 * unit, sigma=0.5)
    trace.step(5.0, 47.8)
    spec = LaneSpec(lane="a1", sku="s", unit_weight_g=unit, capacity=40, low_stock_at=0)
    pipe = LanePipeline(spec)
    events = [e for t, _, g in trace.rows() for e in pipe.feed(t, g) if e.type == "put"]
    assert [(e.qty, e.count) for e in events] == [(1, 37)]
    assert pipe.unit.learned == 0
    assert pipe.unit.mu == unit


def test_a_foreign_object_held_a_moment_before_a_pick_of_three_is_foreign_then_three() -> None:
    """A 1,002 g object is set on a lane of 1,636 g units and held still 0.8 s (under the
    1.2 s a level needs) before the next hand takes 3 units: the change from the last level
    (−3,906 g, 2.4 units) is no count, and it was one foreign line, the count 3 too high and
    a later restock of 2 read as foreign too (``mixed`` 3001 L2, 0263 Not solved)."""
    unit = 1636.0
    trace = Trace(30.0, 10 * unit, sigma=3.0)
    trace.hand(4.0, 4.9, 150.0).step(4.3, 1001.8)
    trace.hand(6.2, 7.4, 150.0).step(6.5, -3 * unit)
    trace.hand(15.0, 16.2, 150.0).step(15.3, 2 * unit)
    assert run(trace, unit, capacity=12) == [("foreign", 0, 10), ("pick", 3, 7), ("put", 2, 9)]


def test_a_pick_put_back_before_the_release_jolts_die_is_a_pick_and_a_put() -> None:
    """70 s of one lane from a generated trace (never-run ``mixed`` seed 8001, lane L8, from
    180 s): at the end a shopper takes one 38 g unit and puts it back 1.9 s after letting
    go. The lane jolts by tens of grams meanwhile, so it never looked still and the pick and
    the put cancelled into nothing (five such pairs in that trace). The median of the jolts
    is the level (0265). Before it: a pick of 3, a foreign object, a pick of 1."""
    assert run_file("pick-putback-jolting-release.csv", 38.0, 40) == [
        ("pick", 3),
        ("foreign", 0),
        ("pick", 1),
        ("pick", 1),
        ("put", 1),
    ]


def test_two_units_taken_one_by_one_while_the_lane_jolts_are_one_pick_of_two() -> None:
    """66 s of one lane from a generated trace (``mixed`` seed 9000, lane L8, 106.1 g units,
    from 1,990 s): a pick put back, then a shopper takes 2 units one after the other. A level
    seen under the jolts between the two takes is a step only when the lane then goes back
    up (a put back): taking more is the same visit, one pick of 2, not 1 + 1 (0265)."""
    assert run_file("pick2-one-by-one-jolting.csv", 106.1, 40) == [
        ("pick", 1),
        ("put", 1),
        ("pick", 2),
        ("pick", 2),
    ]


def test_an_object_weighing_41_units_onto_2_of_a_40_unit_lane_is_foreign() -> None:
    """67 s of one lane from a generated trace (never-run ``foreign`` seed 10000, lane L6,
    29.2 g units, capacity 40, from 818 s): a 1,207 g unit of another lane is put on the 2
    units left, within 1 g of 41 units. The lane would then hold 43, past its capacity: an
    overfill needs a weight that fits within 2 σ and a put no larger than the lane holds.
    Before, it was a put of 41 and the lane, "full", read the next single puts as foreign."""
    assert run_file("foreign-like-41-units-past-capacity.csv", 29.2, 40) == [
        ("foreign", 0),
        ("put", 1),
        ("put", 1),
        ("put", 1),
    ]


def test_four_units_taken_three_then_one_in_one_visit_are_one_pick_of_four() -> None:
    """70 s of one lane from a generated trace (``mixed`` seed 9001, lane L4, 31.6 g units,
    from 400 s): a shopper takes 3 units, the lane holds still 0.4 s, then 1 more. A pick
    that leaves units on the lane is an event once its level has held ``pick_confirm_s``; a
    further pick before then is the same visit. It was a pick of 3 and a pick of 1 (0268)."""
    assert run_file("pick4-three-then-one-in-one-visit.csv", 31.6, 40) == [
        ("pick", 1),
        ("pick", 4),
        ("pick", 1),
    ]


def test_units_taken_in_two_grabs_are_one_pick_and_a_last_unit_empties_at_once() -> None:
    """Two units taken 1 s apart in one visit are one pick of 2; a pick put back 1.2 s later
    is still a pick and a put; the pick of the last unit is an event at once, so out of stock
    does not wait for ``pick_confirm_s`` (0268)."""
    unit = 250.0
    trace = Trace(30.0, 5 * unit, sigma=0.5)
    trace.step(3.0, -unit, 0.2).step(4.2, -unit, 0.2)  # one visit: 5 → 3
    trace.step(10.0, -unit, 0.2).step(11.2, unit, 0.2)  # a pick put back: 3 → 2 → 3
    trace.step(18.0, -2 * unit, 0.2).step(22.0, -unit, 0.2)  # 3 → 1 → 0
    assert run(trace, unit) == [
        ("pick", 2, 3),
        ("pick", 1, 2),
        ("put", 1, 3),
        ("pick", 2, 1),
        ("pick", 1, 0),
    ]
    spec = LaneSpec(lane="a1", sku="s", unit_weight_g=unit, capacity=20, low_stock_at=0)
    last = [e for e in replay(trace.rows(), {"a1": spec}) if e.count == 0]
    assert last[0].type == "pick"
    assert last[0].t < 22.0 + 0.6
