"""Each family shows its phenomenon in the samples (measured, never read from parameters)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.shelfgen import generate
from tests.bench.shelfgen.helpers import events, lane_samples, level, units, window

SEEDS = (0, 1)


def _excess_during_touch(family: str, seed: int) -> list[float]:
    """How far the reading rises above both settled levels while the hand is on the lane."""
    trace = generate(family, seed, minutes=8)
    lanes = lane_samples(trace)
    out = []
    for e in events(trace, "pick", "put"):
        tx = lanes[e["lane"]]
        before = level(tx, e["t_start"] - 1.0, e["t_start"] - 0.05)
        after = level(tx, e["t"] + 1.5, e["t"] + 2.4)
        out.append(float(window(tx, e["t_start"], e["t"]).max()) - max(before, after))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_touch_family_presses_the_lane_during_events(seed: int) -> None:
    touch = np.array(_excess_during_touch("touch", seed))
    clean = np.array(_excess_during_touch("clean", seed))
    assert (touch > 40).mean() > 0.9
    assert (clean > 40).mean() == 0


def _rings(family: str, seed: int) -> float:
    """Share of events whose first 0.6 s after release swing > max(15 g, 6 σ) off the level."""
    trace = generate(family, seed, minutes=8)
    lanes = lane_samples(trace)
    hits = []
    for e in events(trace, "pick", "put"):
        tx = lanes[e["lane"]]
        calm = window(tx, e["t"] + 2.0, e["t"] + 2.4)
        sigma = float(np.std(np.diff(calm))) / np.sqrt(2)
        swing = np.abs(window(tx, e["t"], e["t"] + 0.6) - float(np.median(calm)))
        hits.append(bool(swing.max() > max(15.0, 6 * sigma)))
    return float(np.mean(hits))


@pytest.mark.parametrize("seed", SEEDS)
def test_ringing_family_oscillates_after_release(seed: int) -> None:
    assert _rings("ringing", seed) > 0.8
    assert _rings("clean", seed) == 0


def _outliers(family: str, seed: int) -> int:
    """Samples more than 20 g off the median of their 7 neighbours."""
    trace = generate(family, seed, minutes=8)
    n = 0
    for _, x in lane_samples(trace).values():
        med = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(x, 3, "edge"), 7), axis=1)
        n += int((np.abs(x - med) > 20).sum())
    return n


@pytest.mark.parametrize("seed", SEEDS)
def test_spike_family_has_impulses_and_clean_has_none(seed: int) -> None:
    assert _outliers("spikes", seed) >= 10
    assert _outliers("clean", seed) == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_rails_family_reads_rail_values_and_misses_rows(seed: int) -> None:
    rails, clean = (lane_samples(generate(f, seed, minutes=8)) for f in ("rails", "clean"))
    # rail codes read far outside anything on the lane: raw 0 / -1 / -FS are below -100 g
    assert sum(int((x < -100).sum()) for _, x in rails.values()) > 0
    assert all(int((x < -100).sum()) == 0 for _, x in clean.values())
    # and the same rail value repeats exactly (a code, not noise)
    values, counts = np.unique(np.concatenate([x for _, x in rails.values()]), return_counts=True)
    assert counts[values < -100].max() >= 2
    # failed reads: gaps of two sample periods or more
    for (t_r, _), (t_c, _) in zip(rails.values(), clean.values(), strict=True):
        d_r, d_c = np.diff(t_r), np.diff(t_c)
        assert d_r.max() >= 1.9 * np.median(d_r)
        assert d_c.max() < 1.2 * np.median(d_c)


def _settling(family: str, seed: int) -> list[float]:
    """Mean of minute 9 minus mean of minute 0 per lane, nobody touching the shelf."""
    trace = generate(family, seed, minutes=10, activity=0.0)
    return [
        float(window(tx, 540, 600).mean() - window(tx, 0, 60).mean())
        for tx in lane_samples(trace).values()
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_creep_family_keeps_loading_after_stocking(seed: int) -> None:
    creep, clean = _settling("creep", seed), _settling("clean", seed)
    assert max(creep) > 0.6  # grams, in the direction of the load (stocking added weight)
    assert min(creep) > -0.15
    assert max(abs(d) for d in clean) < 0.3


def _minute_range(family: str, seed: int) -> list[float]:
    trace = generate(family, seed, minutes=60, rate_hz=10, activity=0.0)
    out = []
    for tx in lane_samples(trace).values():
        means = [window(tx, a, a + 60).mean() for a in range(0, 3600, 60)]
        out.append(float(max(means) - min(means)))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_drift_family_wanders_with_temperature(seed: int) -> None:
    assert max(_minute_range("drift", seed)) > 2.0
    assert max(_minute_range("clean", seed)) < 1.0


def _sigmas(family: str, seed: int) -> list[float]:
    """White noise per lane from first differences over 2 quiet minutes."""
    trace = generate(family, seed, minutes=2, activity=0.0)
    return [float(np.std(np.diff(x)) / np.sqrt(2)) for _, x in lane_samples(trace).values()]


@pytest.mark.parametrize("family", ["clean", "noise", "creep"])
def test_white_noise_in_the_field_range(family: str) -> None:
    sigmas = _sigmas(family, 3)
    assert all(0.25 < s < 3.3 for s in sigmas)
    if family == "noise":
        assert min(sigmas) > 0.55


def _steps(family: str, seed: int, kind: str) -> list[tuple[float, float, int]]:
    """(measured step, unit weight, true qty) for events of ``kind`` with calm on both sides."""
    trace = generate(family, seed, minutes=12)
    lanes, unit = lane_samples(trace), units(trace)
    moves = events(trace, "pick", "put", "foreign")
    out = []
    for e in events(trace, kind):
        if any(
            o is not e
            and o["lane"] == e["lane"]
            and o["t"] > e["t_start"] - 1.5
            and o["t_start"] < e["t"] + 2.5
            for o in moves
        ):
            continue
        tx = lanes[e["lane"]]
        step = level(tx, e["t"] + 1.2, e["t"] + 2.2) - level(tx, e["t_start"] - 1.0, e["t_start"])
        out.append((step, unit[e["lane"]], e.get("qty", 1)))
    return out


def test_multi_family_takes_several_units_at_once() -> None:
    steps = [s for seed in SEEDS for s in _steps("multi", seed, "pick") if s[2] >= 2]
    assert len(steps) >= 20
    for step, unit, qty in steps:
        assert -step / unit == pytest.approx(qty, abs=0.3)


def test_units_have_their_own_weight() -> None:
    """Single-unit steps on heavy lanes scatter by the unit spread (1-3 %), not by noise."""
    steps = [
        -s / u for seed in SEEDS for s, u, q in _steps("clean", seed, "pick") if q == 1 and u > 500
    ]
    assert len(steps) >= 10
    assert 0.005 < float(np.std(steps)) < 0.04


def test_foreign_items_are_no_count_of_units() -> None:
    for seed in SEEDS:
        for step, unit, _ in _steps("foreign", seed, "foreign"):
            ratio = abs(step) / unit
            assert abs(ratio - round(ratio)) > 0.25 or round(ratio) == 0


def test_emptied_lanes_weigh_nothing_until_restocked() -> None:
    trace = generate("stockout", 0, minutes=12)
    lanes, unit = lane_samples(trace), units(trace)
    empties = events(trace, "out_of_stock")
    assert empties
    for e in empties:
        refill = min(
            (
                r["t_start"]
                for r in events(trace, "restocked")
                if r["lane"] == e["lane"] and r["t"] > e["t"]
            ),
            default=trace.duration_s,
        )
        if refill - e["t"] > 3.0:
            assert level(lanes[e["lane"]], e["t"] + 1.5, refill - 0.5) < 0.5 * unit[e["lane"]]


def _still_presses(rate: int) -> tuple[int, int]:
    """Touches holding still for 0.5 s by the FIELD-NOTES rule, out of all touches."""
    trace = generate("touch", 0, minutes=20, rate_hz=rate)
    lanes = lane_samples(trace)
    n = int(0.5 * rate) + 1
    still = total = 0
    for plan in trace.plans:
        t_all, x_all = lanes[plan.lane.id]
        for c in plan.contacts:
            inside = (t_all >= c.t0) & (t_all <= c.t1)
            t, x = t_all[inside], x_all[inside]
            total += 1
            if len(x) < n:
                continue
            tw = np.lib.stride_tricks.sliding_window_view(t, n)
            xw = np.lib.stride_tricks.sliding_window_view(x, n)
            tc = tw - tw.mean(axis=1, keepdims=True)
            slope = (tc * (xw - xw.mean(axis=1, keepdims=True))).sum(axis=1) / (tc**2).sum(axis=1)
            band = max(6 * float(np.std(np.diff(x_all[:200]))) / np.sqrt(2), 2.0)
            still += bool(np.any((np.ptp(xw, axis=1) < band) & (np.abs(slope) < 1.0)))
    return still, total


@pytest.mark.parametrize("rate", [10, 40])
def test_hand_presses_rarely_look_settled(rate: int) -> None:
    """Fairness: a press is hard to tell from a load, but seldom truly still (docs)."""
    still, total = _still_presses(rate)
    assert total > 100
    assert still / total < 0.06
