"""What a simulated store did, counted as it happens (progress lines, checks against the
cloud)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    """What the simulation did, for progress lines and for checking the cloud."""

    stats: Counter[str] = field(default_factory=Counter)
    restocked: Counter[str] = field(default_factory=Counter)  # backroom → shelf: no ledger
    received: Counter[str] = field(default_factory=Counter)  # opening stock, deliveries
    shrink: Counter[str] = field(default_factory=Counter)
    """Units that left a shelf lane unpaid (theft, damage): the ledger does not know."""
    faults: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[key] += n
