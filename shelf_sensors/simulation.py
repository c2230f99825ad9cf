"""Synthetic load-cell traces with ground truth, for tests, the bench and the simulators.

The noise model follows FIELD-NOTES: white noise, rare spikes, failed reads, creep (~0.03 %
of a load change over 30 min), temperature zero drift (~0.05 % FS per 10 K, daily cycle),
touch transients (0.5–3 s, ±20–200 g overshoot) with crosstalk onto neighbouring lanes, unit
weight spread (1–3 % of μ), and the stuck and disconnected sensor faults. Everything is
seeded, vectorised with numpy, and pure (no I/O).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Kind = Literal["pick", "put", "foreign"]


@dataclass(frozen=True, slots=True)
class SimLane:
    """A simulated lane: its SKU's unit weight and spread, cell range and noise."""

    lane: str
    sku: str
    mu: float
    spread: float = 0.02
    """Unit weight std dev as a fraction of ``mu``."""
    capacity: int = 20
    low_stock_at: int = 2
    count: int = 10
    full_scale_g: float = 5000.0
    noise_g: float = 1.0


@dataclass(frozen=True, slots=True)
class Action:
    """A hand on a lane between ``t`` and ``t + duration``; ``grams`` is the net change."""

    t: float
    lane: str
    kind: Kind
    qty: int
    grams: float
    duration: float = 1.5
    overshoot_g: float = 80.0


@dataclass(slots=True)
class NoiseModel:
    """Which impairments to apply; all on by default, at FIELD-NOTES magnitudes."""

    spike_rate: float = 1e-3
    fail_rate: float = 2e-4
    creep_fraction: float = 3e-4
    creep_tau_s: float = 600.0
    temp_drift_fraction_fs: float = 5e-4
    """Zero drift per 10 K, as a fraction of full scale."""
    temp_swing_k: float = 6.0
    crosstalk: float = 0.03
    stuck_at: dict[str, float] = field(default_factory=dict)
    """lane → time from which the sensor repeats one value."""
    disconnected: dict[str, tuple[float, float]] = field(default_factory=dict)
    """lane → (from, to) during which every read fails (NaN)."""


def unit_weights(rng: np.random.Generator, lane: SimLane, qty: int) -> float:
    """Total weight of ``qty`` real units, each drawn with the SKU's spread."""
    return float(np.sum(rng.normal(lane.mu, lane.spread * lane.mu, size=qty)))


def render(
    lanes: list[SimLane],
    actions: list[Action],
    duration_s: float,
    *,
    rate_hz: float = 80.0,
    noise: NoiseModel | None = None,
    seed: int = 0,
    initial_grams: dict[str, float] | None = None,
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Sample every lane at ``rate_hz``: returns ``(t, {lane: grams})``; NaN = failed read.

    ``initial_grams`` gives each lane's true starting load (default ``count·μ``).
    """
    nm = noise or NoiseModel()
    rng = np.random.default_rng(seed)
    n = int(duration_s * rate_hz)
    t = np.arange(n, dtype=np.float64) / rate_hz
    index = {ln.lane: i for i, ln in enumerate(lanes)}
    out: dict[str, FloatArray] = {}
    by_lane: dict[str, list[Action]] = {ln.lane: [] for ln in lanes}
    for a in actions:
        by_lane[a.lane].append(a)
    crosstalk: dict[str, list[Action]] = {ln.lane: [] for ln in lanes}
    for a in actions:
        i = index[a.lane]
        for other in (i - 1, i + 1):
            if 0 <= other < len(lanes):
                crosstalk[lanes[other].lane].append(a)
    phase = rng.uniform(0, 2 * math.pi)
    for ln in lanes:
        start = (initial_grams or {}).get(ln.lane, ln.count * ln.mu)
        w = np.full(n, start)
        creep = np.zeros(n)
        for a in sorted(by_lane[ln.lane], key=lambda a: a.t):
            i0, i1 = int(a.t * rate_hz), min(n, int((a.t + a.duration) * rate_hz))
            if i0 >= n:
                continue
            step_at = i0 + int((i1 - i0) * rng.uniform(0.3, 0.7))
            w[step_at:] += a.grams
            _touch(w, i0, i1, a.overshoot_g, rng)
            tail = t[i1:] - t[i1 - 1] if i1 < n else np.zeros(0)
            creep[i1:] += nm.creep_fraction * a.grams * (1 - np.exp(-tail / nm.creep_tau_s))
        for a in crosstalk[ln.lane]:
            i0, i1 = int(a.t * rate_hz), min(n, int((a.t + a.duration) * rate_hz))
            _touch(w, i0, i1, a.overshoot_g * nm.crosstalk, rng)
        swing = nm.temp_drift_fraction_fs * ln.full_scale_g * nm.temp_swing_k / 10.0
        drift = swing * np.sin(2 * math.pi * t / 86_400.0 + phase + index[ln.lane])
        g = w + creep + drift + rng.normal(0.0, ln.noise_g, n)
        spikes = rng.random(n) < nm.spike_rate
        k = int(spikes.sum())
        g[spikes] += rng.choice([-1.0, 1.0], k) * rng.uniform(20.0, 0.5 * ln.full_scale_g, k)
        g[rng.random(n) < nm.fail_rate] = np.nan
        if ln.lane in nm.stuck_at:
            i = int(nm.stuck_at[ln.lane] * rate_hz)
            if i < n:
                g[i:] = round(float(w[i]), 1)
        if ln.lane in nm.disconnected:
            a0, a1 = nm.disconnected[ln.lane]
            g[int(a0 * rate_hz) : int(a1 * rate_hz)] = np.nan
        out[ln.lane] = g
    return t, out


def _touch(w: FloatArray, i0: int, i1: int, overshoot: float, rng: np.random.Generator) -> None:
    """A hand pressing and tugging: a few smooth bumps of ± ``overshoot`` over the touch."""
    m = i1 - i0
    if m <= 2:
        return
    x = np.linspace(0.0, 1.0, m)
    bumps = rng.integers(1, 4)
    shape = np.zeros(m)
    for _ in range(bumps):
        c, width = rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.25)
        shape += rng.uniform(-1.0, 1.0) * np.exp(-0.5 * ((x - c) / width) ** 2)
    peak = float(np.max(np.abs(shape))) or 1.0
    w[i0:i1] += overshoot * shape / peak * np.sin(math.pi * x)


def initial_stock(lanes: list[SimLane], seed: int = 0) -> dict[str, list[float]]:
    """The real weight of every unit on each lane at the start (each drawn with the spread)."""
    rng = np.random.default_rng(seed + 104_729)
    return {
        ln.lane: [float(w) for w in rng.normal(ln.mu, ln.spread * ln.mu, ln.count)] for ln in lanes
    }


def scenario(
    lanes: list[SimLane],
    duration_s: float,
    *,
    seed: int = 0,
    mean_gap_s: float = 20.0,
    foreign_rate: float = 0.03,
    empty_wait_s: float = 25.0,
    stock: dict[str, list[float]] | None = None,
) -> list[Action]:
    """A plausible day of shoppers: picks (1–4), put-backs, wrong-lane put-backs (foreign)
    later removed by staff, and restocks of empty lanes after ``empty_wait_s``.

    Units keep their identity: a pick removes real units from the lane (``stock``, from
    :func:`initial_stock`; nominal μ each when omitted), so the lane weighs ~0 once empty.
    """
    rng = np.random.default_rng(seed + 7919)
    actions: list[Action] = []
    for idx, ln in enumerate(lanes):
        units = list(stock[ln.lane]) if stock is not None else [ln.mu] * ln.count
        count, t = len(units), float(rng.uniform(3.0, 10.0))
        foreign: float | None = None
        while True:
            t += 6.0 + float(rng.exponential(mean_gap_s))
            dur = float(rng.uniform(0.5, 3.0))
            if t + dur + 8.0 > duration_s:
                break
            over = float(rng.uniform(20.0, 200.0))
            if count == 0:
                t += empty_wait_s
                if t + dur + 8.0 > duration_s:
                    break
                qty = ln.capacity
                new = _draw(rng, ln, qty)
                units.extend(new)
                actions.append(Action(t, ln.lane, "put", qty, sum(new), dur, over))
                count = qty
                continue
            if foreign is not None and rng.random() < 0.5:
                actions.append(Action(t, ln.lane, "foreign", 0, -foreign, dur, over))
                foreign = None
                continue
            r = rng.random()
            if r < foreign_rate and foreign is None:
                other = lanes[(idx + 1) % len(lanes)]
                wgt = unit_weights(rng, other, 1)
                if _mismatch(wgt, ln):
                    actions.append(Action(t, ln.lane, "foreign", 0, wgt, dur, over))
                    foreign = wgt
                continue
            if r < 0.8:
                qty = int(min(count, rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4])))
                taken = [units.pop() for _ in range(qty)]
                actions.append(Action(t, ln.lane, "pick", qty, -sum(taken), dur, over))
                count -= qty
            elif count < ln.capacity:
                qty = int(min(ln.capacity - count, rng.choice([1, 1, 1, 2])))
                new = _draw(rng, ln, qty)
                units.extend(new)
                actions.append(Action(t, ln.lane, "put", qty, sum(new), dur, over))
                count += qty
    return sorted(actions, key=lambda a: a.t)


def _draw(rng: np.random.Generator, lane: SimLane, qty: int) -> list[float]:
    return [float(w) for w in rng.normal(lane.mu, lane.spread * lane.mu, qty)]


def _mismatch(weight: float, lane: SimLane) -> bool:
    """True when ``weight`` is far (> 8σ) from every multiple of the lane's unit weight."""
    n = max(1, round(weight / lane.mu))
    sd = math.sqrt(n * (lane.spread * lane.mu) ** 2 + 2 * 0.5**2)
    return all(abs(weight - k * lane.mu) > 8 * sd for k in (n - 1, n, n + 1) if k >= 1) and (
        weight > 0.4 * lane.mu
    )


def make_lanes(count: int, *, seed: int = 0, noise_g: float = 1.0) -> list[SimLane]:
    """``count`` lanes with SKUs spread from 30 g to 2 kg (log scale), each on a fitting cell."""
    rng = np.random.default_rng(seed)
    weights = np.geomspace(30.0, 2000.0, count) if count > 1 else np.array([30.0])
    rng.shuffle(weights)
    lanes = []
    for i in range(count):
        mu = float(weights[i])
        fs = 5000.0 if mu * 20 <= 4000 else (20_000.0 if mu * 20 <= 16_000 else 50_000.0)
        cap = 20
        lanes.append(
            SimLane(
                lane=f"l{i + 1:02d}",
                sku=f"sku-{i + 1:02d}",
                mu=round(mu, 1),
                spread=float(rng.uniform(0.01, 0.03)),
                capacity=cap,
                low_stock_at=2,
                count=int(rng.integers(4, cap + 1)),
                full_scale_g=fs,
                noise_g=noise_g,
            )
        )
    return lanes
