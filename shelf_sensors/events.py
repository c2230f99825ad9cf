"""A lane event (pick, put, foreign, stock alerts) and its ``shelf replay`` line (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shelf_sensors.alerts import StockState

EventType = Literal["pick", "put", "foreign", "low_stock", "out_of_stock", "restocked"]


@dataclass(frozen=True, slots=True)
class LaneEvent:
    """One thing that happened on a lane; ``count`` is the units left after it."""

    t: float
    lane: str
    type: EventType
    qty: int
    count: int
    delta_g: float = 0.0
    confidence: float = 1.0
    state: StockState = "ok"

    @property
    def uncertain(self) -> bool:
        return self.type in ("pick", "put") and self.confidence < 0.9

    def replay_line(self) -> dict[str, object]:
        """The ``shelf replay`` output object (SPEC.md)."""
        return {
            "t": round(self.t, 3),
            "lane": self.lane,
            "type": self.type,
            "qty": self.qty,
            "count": self.count,
        }
