"""A load cell source driven live by simulated shoppers and staff.

Unlike :class:`shelf_sensors.loadcell.fake.FakeLoadCell` (which renders pre-planned shoppers
in chunks), this one takes actions *now*: a hand touches the lane (a transient of ±20-200 g
for ~1 s), the weight steps by the units taken or put, then settles. It follows the
FIELD-NOTES noise model (white noise, rare spikes, unit weight spread) and takes injected
faults: spikes, zero drift, stuck sensor. Samples are paced by a real clock at ``rate_hz``.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shelf_sensors.calibration import Calibration
from shelf_sensors.loadcell.base import RAW_MAX, RAW_MIN, Reading
from shelf_sensors.loadcell.fake import counts_per_gram


@dataclass(frozen=True, slots=True)
class LaneModel:
    lane: str
    sku: str
    unit_weight_g: float
    count: int
    capacity: int
    spread: float = 0.015
    full_scale_g: float = 20_000.0
    noise_g: float = 0.8


@dataclass(slots=True)
class _Touch:
    t0: float
    t1: float
    step_at: float
    grams: float
    overshoot: float


class _LaneState:
    def __init__(self, model: LaneModel, offset: int) -> None:
        self.model = model
        self.offset = offset
        self.scale = 1.0 / counts_per_gram(model.full_scale_g)
        self.count = model.count
        self.base_g = 0.0
        self.touches: list[_Touch] = []
        self.spikes = 0
        self.drift_g_per_s = 0.0
        self.drift_until = 0.0
        self.drift_g = 0.0
        self.stuck_until = 0.0
        self.stuck_raw: int | None = None


class LiveLoadCell:
    """Implements :class:`shelf_sensors.loadcell.base.LoadCell`; actions are thread-safe."""

    def __init__(
        self,
        lanes: list[LaneModel],
        *,
        rate_hz: float = 80.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.lanes = [m.lane for m in lanes]
        self.rate_hz = rate_hz
        self._rng = random.Random(seed)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._state = {m.lane: _LaneState(m, 10_000 * (i + 1)) for i, m in enumerate(lanes)}
        for st in self._state.values():
            st.base_g = self._units(st.model, st.count)
        self._origin = 0.0
        self._k = 0
        self._next_t: float | None = None

    # What the shelf node needs ----------------------------------------------------------

    def calibrations(self) -> dict[str, Calibration]:
        """What a correct two-point calibration of each lane finds."""
        return {lane: Calibration(float(s.offset), s.scale) for lane, s in self._state.items()}

    def open(self) -> None:
        with self._lock:
            self._restart(self._clock())

    def _restart(self, now: float) -> None:
        """Sample times are ``origin + k / rate``: no drift from summing float periods."""
        self._origin, self._k = now, 0
        self._next_t = now

    def close(self) -> None:
        """The cells stay physically loaded: closing only stops sampling."""
        with self._lock:
            self._next_t = None

    def read(self, timeout: float) -> list[Reading]:
        now = self._clock()
        with self._lock:
            if self._next_t is None:
                self._restart(now)
            wait = (self._next_t or now) - now
        if wait > 0:
            self._sleep(min(wait, timeout))
            now = self._clock()
        out: list[Reading] = []
        with self._lock:
            if self._next_t is None or now - self._next_t > 5.0:
                self._restart(now)  # the reader stalled: skip ahead, as a real ADC would
            t = self._origin + self._k / self.rate_hz
            while t <= now:
                for st in self._state.values():
                    out.append(self._sample(st, t))
                self._k += 1
                t = self._origin + self._k / self.rate_hz
            self._next_t = t
        return out

    # Physical world -----------------------------------------------------------------------

    def count(self, lane: str) -> int:
        with self._lock:
            return self._state[lane].count

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {lane: st.count for lane, st in self._state.items()}

    def take(self, lane: str, qty: int = 1, duration: float = 1.0) -> int:
        """A shopper takes up to ``qty`` units; returns how many were there to take."""
        with self._lock:
            st = self._state[lane]
            qty = min(qty, st.count)
            if qty > 0:
                st.count -= qty
                self._touch(st, -self._units(st.model, qty), duration)
        return qty

    def put(self, lane: str, qty: int = 1, duration: float = 1.5) -> int:
        """A shopper puts back, or staff restocks, up to the lane's capacity."""
        with self._lock:
            st = self._state[lane]
            qty = min(qty, st.model.capacity - st.count)
            if qty > 0:
                st.count += qty
                self._touch(st, self._units(st.model, qty), duration)
        return qty

    # Faults -----------------------------------------------------------------------------

    def spike(self, lane: str, count: int = 1) -> None:
        with self._lock:
            self._state[lane].spikes += count

    def drift(self, lane: str, grams_per_s: float, duration_s: float) -> None:
        with self._lock:
            st = self._state[lane]
            st.drift_g_per_s = grams_per_s
            st.drift_until = self._clock() + duration_s

    def stick(self, lane: str, duration_s: float) -> None:
        with self._lock:
            st = self._state[lane]
            st.stuck_until = self._clock() + duration_s
            st.stuck_raw = None

    # Internals (under the lock) -------------------------------------------------------------

    def _units(self, model: LaneModel, qty: int) -> float:
        sd = model.spread * model.unit_weight_g
        return sum(self._rng.gauss(model.unit_weight_g, sd) for _ in range(qty))

    def _touch(self, st: _LaneState, grams: float, duration: float) -> None:
        t0 = max(self._clock(), st.touches[-1].t1 if st.touches else 0.0)
        duration = max(0.3, duration * self._rng.uniform(0.7, 1.3))
        st.touches.append(
            _Touch(
                t0,
                t0 + duration,
                t0 + duration * self._rng.uniform(0.3, 0.6),
                grams,
                self._rng.uniform(20.0, 120.0) * self._rng.choice((-1.0, 1.0)),
            )
        )

    def _sample(self, st: _LaneState, t: float) -> Reading:
        m = st.model
        grams = st.base_g
        done = 0
        for touch in st.touches:
            if t >= touch.step_at:
                grams += touch.grams
            if touch.t0 <= t < touch.t1:
                x = (t - touch.t0) / (touch.t1 - touch.t0)
                grams += touch.overshoot * math.sin(math.pi * x) * math.sin(3 * math.pi * x)
            if t >= touch.t1:
                done += 1
        for touch in st.touches[:done]:  # settled: fold into the base weight
            st.base_g += touch.grams
        del st.touches[:done]
        if st.drift_g_per_s and t < st.drift_until:
            st.drift_g += st.drift_g_per_s / self.rate_hz
        grams += st.drift_g + self._rng.gauss(0.0, m.noise_g)
        if st.spikes > 0 and self._rng.random() < 0.2:
            st.spikes -= 1
            grams += self._rng.choice((-1.0, 1.0)) * self._rng.uniform(300.0, 3000.0)
        raw = max(RAW_MIN + 1, min(RAW_MAX - 1, round(st.offset + grams / st.scale)))
        if t < st.stuck_until:
            if st.stuck_raw is None:
                st.stuck_raw = raw
            raw = st.stuck_raw
        else:
            st.stuck_raw = None
        return Reading(m.lane, t, raw, "ok")
