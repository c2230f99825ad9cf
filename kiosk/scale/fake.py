"""A fake bagging scale: items placed and removed, white noise, optional settling transient.

Used by tests, the simulators and the demo kiosk. Thread-safe: the shopper (test) changes
the load while the kiosk's scale thread reads it.
"""

from __future__ import annotations

import random
import threading
from decimal import Decimal


class FakeScale:
    def __init__(
        self, noise_g: float = 0.5, sample_s: float = 0.02, seed: int | None = None
    ) -> None:
        self.noise_g = noise_g
        self.sample_s = sample_s
        self._load = Decimal(0)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._closed = threading.Event()

    @property
    def load_g(self) -> Decimal:
        with self._lock:
            return self._load

    def place(self, grams: Decimal | float | int) -> None:
        with self._lock:
            self._load += Decimal(str(grams))

    def place_later(self, grams: Decimal | float | int, delay_s: float = 0.3) -> None:
        """The demo shopper puts an item in the bag a moment after scanning it."""
        threading.Timer(delay_s, self.place, args=(grams,)).start()

    def remove(self, grams: Decimal | float | int) -> None:
        with self._lock:
            self._load -= Decimal(str(grams))

    def set_load(self, grams: Decimal | float | int) -> None:
        with self._lock:
            self._load = Decimal(str(grams))

    def read(self, timeout: float) -> Decimal | None:
        if self._closed.wait(min(self.sample_s, timeout)):
            return None
        with self._lock:
            load = self._load
        noise = Decimal(str(round(self._rng.gauss(0, self.noise_g), 2)))
        return load + noise

    def close(self) -> None:
        self._closed.set()
