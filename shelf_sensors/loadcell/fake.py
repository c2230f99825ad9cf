"""A fake load cell that behaves like real ones: it plays simulated shoppers through the noise
model of :mod:`shelf_sensors.simulation` (noise, spikes, creep, drift, touch transients) and
converts grams to raw counts like an HX711, with injectable stuck, disconnected and
saturated faults. Paced by a clock, or as fast as it is read (``speed=0``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from shelf_sensors.loadcell.base import RAW_MAX, RAW_MIN, Reading
from shelf_sensors.simulation import Action, FloatArray, NoiseModel, SimLane, render, scenario

FaultMode = str  # "stuck" | "disconnected" | "saturated"


def counts_per_gram(full_scale_g: float) -> float:
    """HX711 gain 128 on a typical cell uses ~80 % of the range at full scale."""
    return 0.8 * RAW_MAX / full_scale_g


class FakeLoadCell:
    def __init__(
        self,
        lanes: list[SimLane],
        *,
        seed: int = 0,
        rate_hz: float = 80.0,
        chunk_s: float = 120.0,
        speed: float = 1.0,
        mean_gap_s: float = 30.0,
        noise: NoiseModel | None = None,
        offsets: dict[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        scripted: list[Action] | None = None,
    ) -> None:
        self.sim = lanes
        self.lanes = [ln.lane for ln in lanes]
        self.seed = seed
        self.rate_hz = rate_hz
        self.chunk_s = chunk_s
        self.speed = speed
        self.mean_gap_s = mean_gap_s
        self.noise = noise or NoiseModel()
        self.offsets = offsets or {ln.lane: 10_000 * (i + 1) for i, ln in enumerate(lanes)}
        self.scale = {ln.lane: 1.0 / counts_per_gram(ln.full_scale_g) for ln in lanes}
        """Grams per count of each simulated cell (what a two-point calibration finds)."""
        self.faults: dict[str, FaultMode] = {}
        self.actions: list[Action] = []
        self._clock = clock
        self._sleep = sleep
        self._scripted = scripted
        self._chunk = 0
        self._t: FloatArray = np.zeros(0)
        self._g: dict[str, FloatArray] = {}
        self._i = 0
        self._t0 = 0.0
        self._started: float | None = None
        self._true: dict[str, float] = {ln.lane: ln.count * ln.mu for ln in lanes}
        self._counts = {ln.lane: ln.count for ln in lanes}
        self._stuck_raw: dict[str, int] = {}

    def open(self) -> None:
        self._started = self._clock()
        self._next_chunk()

    def set_fault(self, lane: str, mode: FaultMode | None) -> None:
        """Inject (or clear with ``None``) a fault: stuck, disconnected or saturated."""
        if mode is None:
            self.faults.pop(lane, None)
            self._stuck_raw.pop(lane, None)
        else:
            self.faults[lane] = mode

    def raw_for(self, lane: str, grams: float) -> int:
        raw = round(self.offsets[lane] + grams / self.scale[lane])
        return max(RAW_MIN, min(RAW_MAX, raw))

    def read(self, timeout: float) -> list[Reading]:
        if self._started is None:
            self.open()
        if self.speed > 0:
            due = (self._clock() - (self._started or 0.0)) * self.speed
            if self._i < len(self._t) and self._t[self._i] > due:
                wait = min(timeout, (self._t[self._i] - due) / self.speed)
                self._sleep(max(0.0, wait))
                due = (self._clock() - (self._started or 0.0)) * self.speed
        else:
            due = float("inf")
        out: list[Reading] = []
        limit = 64 if self.speed <= 0 else 10_000
        while len(out) < limit * len(self.lanes):
            if self._i >= len(self._t):
                self._next_chunk()
            t = float(self._t[self._i])
            if t > due:
                break
            for lane in self.lanes:
                out.append(self._reading(lane, t, float(self._g[lane][self._i])))
            self._i += 1
        return out

    def _reading(self, lane: str, t: float, grams: float) -> Reading:
        mode = self.faults.get(lane)
        if mode == "disconnected" or grams != grams:  # NaN: a failed read
            return Reading(lane, t, None, "failed")
        if mode == "saturated":
            return Reading(lane, t, RAW_MAX, "saturated")
        raw = self.raw_for(lane, grams)
        if mode == "stuck":
            raw = self._stuck_raw.setdefault(lane, raw)
        return Reading(lane, t, raw, "ok")

    def _next_chunk(self) -> None:
        lanes = [replace(ln, count=self._counts[ln.lane]) for ln in self.sim]
        seed = self.seed + 1000 * self._chunk
        if self._scripted is not None:
            actions = [
                Action(a.t - self._t0, a.lane, a.kind, a.qty, a.grams, a.duration, a.overshoot_g)
                for a in self._scripted
                if self._t0 <= a.t < self._t0 + self.chunk_s
            ]
        else:
            actions = scenario(lanes, self.chunk_s, seed=seed, mean_gap_s=self.mean_gap_s)
        t, g = render(
            lanes,
            actions,
            self.chunk_s,
            rate_hz=self.rate_hz,
            noise=self.noise,
            seed=seed,
            initial_grams=dict(self._true),
        )
        for a in actions:
            self._true[a.lane] += a.grams
            if a.kind == "pick":
                self._counts[a.lane] -= a.qty
            elif a.kind == "put":
                self._counts[a.lane] += a.qty
            self.actions.append(
                Action(a.t + self._t0, a.lane, a.kind, a.qty, a.grams, a.duration, a.overshoot_g)
            )
        self._t = t + self._t0
        self._g = g
        self._i = 0
        self._t0 += self.chunk_s
        self._chunk += 1

    def close(self) -> None:
        self._started = None
