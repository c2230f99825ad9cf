"""Simulated time for the shopper model: a wall-clock datetime running ``speed`` times faster.

Only the *shopper model* runs on this clock (arrivals by hour of day, dwell times, restock
delays, scheduled faults). The node code runs on real clocks: see
docs/decisions/0080-simulated-time.md for why.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta


class SimClock:
    """``now()`` = ``start`` + (real seconds since creation) × ``speed``; thread-safe."""

    def __init__(
        self,
        start: datetime,
        speed: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start = start
        self.speed = speed
        self._monotonic = monotonic
        self._t0 = monotonic()
        self._base = 0.0  # simulated seconds already run when ``speed`` last changed
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        """Simulated seconds since the start."""
        with self._lock:
            return self._base + (self._monotonic() - self._t0) * self.speed

    def set_speed(self, speed: float) -> None:
        """Run at ``speed`` from now on; time stays continuous. Sleepers wake in chunks of at
        most 0.5 s real and recompute, so none oversleeps a slowed-down clock by more."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            now = self._monotonic()
            self._base += (now - self._t0) * self.speed
            self._t0, self.speed = now, speed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed())

    def real_seconds(self, sim_seconds: float) -> float:
        return max(0.0, sim_seconds) / self.speed

    def sleep_until(self, sim_elapsed: float, stop: threading.Event) -> bool:
        """Wait until ``elapsed() >= sim_elapsed``; False when ``stop`` was set first."""
        while True:
            left = self.real_seconds(sim_elapsed - self.elapsed())
            if left <= 0:
                return not stop.is_set()
            if stop.wait(min(left, 0.5)):
                return False

    def sleep(self, sim_seconds: float, stop: threading.Event) -> bool:
        """Wait ``sim_seconds`` of simulated time; False when ``stop`` was set first."""
        return self.sleep_until(self.elapsed() + sim_seconds, stop)
