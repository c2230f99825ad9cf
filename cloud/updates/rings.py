"""Pure rollout rules: which nodes a ring and a percentage take, when a ring must halt.

Rings nest: ``canary`` ⊂ ``store`` ⊂ ``all`` (a node's ring is set by an admin; nodes without
one are in ``all``). ``--percent N`` takes the first N % of a ring's nodes in a fixed order
(a hash of store and node), so widening from 10 % to 50 % keeps the first 10 % and the same
command always picks the same nodes.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloud.updates.models import FAILED, FINISHED, RINGS

RANK = {ring: i for i, ring in enumerate(RINGS)}


def in_ring(node_ring: str, ring: str) -> bool:
    return RANK[node_ring] <= RANK[ring]


def order_key(store: str, node: str) -> str:
    return hashlib.sha256(f"{store}/{node}".encode()).hexdigest()


def pick(nodes: Sequence[tuple[str, str]], percent: int) -> list[tuple[str, str]]:
    """The first ``percent`` % (rounded up) of ``(store, node)`` in the fixed order."""
    ordered = sorted(nodes, key=lambda sn: order_key(*sn))
    return ordered[: math.ceil(len(ordered) * percent / 100)]


@dataclass(frozen=True)
class RingTally:
    ring: str
    targets: int
    finished: int
    failed: int

    @property
    def failure_percent(self) -> float:
        return 100.0 * self.failed / self.finished if self.finished else 0.0


def tally(rows: Iterable[tuple[str, str]]) -> list[RingTally]:
    """``(ring, status)`` per target → counts per ring, in ring order."""
    targets: Counter[str] = Counter()
    finished: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for ring, status in rows:
        targets[ring] += 1
        finished[ring] += status in FINISHED
        failed[ring] += status in FAILED
    return [RingTally(r, targets[r], finished[r], failed[r]) for r in RINGS if targets[r]]


def halt_reason(tallies: Iterable[RingTally], threshold: int) -> str | None:
    """Why the rollout must stop, or None: a ring whose failures pass ``threshold`` %."""
    for t in tallies:
        if t.failed and t.failure_percent > threshold:
            return (
                f"ring {t.ring}: {t.failed} of {t.finished} finished nodes failed "
                f"({t.failure_percent:.0f}% > {threshold}%)"
            )
    return None
