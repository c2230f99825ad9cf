"""The ten-minute detector, as a baseline beside ours in the same run.

Average every 100 ms, a 0.5 s moving average of those; when the average is more than
max(0.4 unit, 8 g) away from the last level and has held still (within max(0.05 unit, 2 g)
per step) for 0.5 s, the change is an event: qty = round(|delta| / unit), ``foreign`` when
the rest is over 0.3 unit. The count starts at round(first level / unit). No outlier
rejection, no drift tracking, no learning: that is the point of a baseline.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.shelfgen.trace import Samples

BLOCK_S = 0.1
AVG_BLOCKS = 5
STILL_BLOCKS = 5
Line = dict[str, Any]


@dataclass
class _Lane:
    id: str
    unit: float
    low: int
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=AVG_BLOCKS))
    level: float | None = None
    prev: float = 0.0
    still: int = 0
    count: int = 0

    def _line(self, t: float, kind: str, qty: int) -> Line:
        return {"t": round(t, 3), "lane": self.id, "type": kind, "qty": qty, "count": self.count}

    def step(self, t: float, mean: float) -> list[Line]:
        self.recent.append(mean)
        if len(self.recent) < AVG_BLOCKS:
            return []
        avg = sum(self.recent) / AVG_BLOCKS
        if self.level is None:
            self.level, self.prev, self.count = avg, avg, max(0, round(avg / self.unit))
            return []
        moved = abs(avg - self.level) > max(0.4 * self.unit, 8.0)
        still = abs(avg - self.prev) < max(0.05 * self.unit, 2.0)
        self.prev = avg
        self.still = self.still + 1 if moved and still else 0
        if self.still < STILL_BLOCKS:
            return []
        delta, self.level, self.still = avg - self.level, avg, 0
        qty = round(abs(delta) / self.unit)
        if qty == 0 or abs(abs(delta) - qty * self.unit) > 0.3 * self.unit:
            return [self._line(t, "foreign", 0)]
        before = self.count
        self.count = max(0, before - qty) if delta < 0 else before + qty
        lines = [self._line(t, "pick" if delta < 0 else "put", qty)]
        if before > 0 and self.count == 0:
            lines.append(self._line(t, "out_of_stock", 0))
        elif before > self.low >= self.count:
            lines.append(self._line(t, "low_stock", 0))
        elif before == 0 < self.count:
            lines.append(self._line(t, "restocked", 0))
        return lines


@dataclass
class _Blocks:
    """Per-lane 100 ms sums carried across chunk boundaries."""

    block: int = -1
    total: float = 0.0
    n: int = 0


def detect(trace: Samples) -> list[Line]:
    """Replay lines (SPEC §3 format) for every sample of ``trace``, streamed."""
    lanes = [
        _Lane(
            id=i,
            unit=float(trace.lanes[i]["unit_weight_g"]),
            low=int(trace.lanes[i]["low_stock_at"]),
        )
        for i in trace.lane_ids
    ]
    carry = [_Blocks() for _ in lanes]
    out: list[Line] = []
    for chunk in trace.chunks():
        blocks = np.floor(chunk.t / BLOCK_S).astype(np.int64)
        for i, lane in enumerate(lanes):
            mine = chunk.lane == i
            b, g = blocks[mine], chunk.grams[mine]
            if len(b) == 0:
                continue
            starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
            sums, counts = np.add.reduceat(g, starts), np.diff(np.r_[starts, len(b)])
            c = carry[i]
            for blk, total, n in zip(
                b[starts].tolist(), sums.tolist(), counts.tolist(), strict=True
            ):
                if blk == c.block:
                    c.total, c.n = c.total + total, c.n + n
                    continue
                if c.n:
                    out += lane.step((c.block + 1) * BLOCK_S, c.total / c.n)
                c.block, c.total, c.n = blk, total, n
    return sorted(out, key=lambda line: float(line["t"]))
