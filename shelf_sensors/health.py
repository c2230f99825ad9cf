"""Sensor faults per lane from the raw reading stream: stuck, saturated, disconnected. Pure.

A live HX711 never repeats one 24-bit value for seconds (its noise moves the low bits), so a
long run of identical words means a stuck sensor or MCU; a run of rail values means an
overloaded or miswired cell; no good reading for a while means a disconnected one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shelf_sensors.loadcell.base import Reading

FaultCode = Literal["sensor_stuck", "sensor_saturated", "sensor_disconnected"]


@dataclass(frozen=True, slots=True)
class FaultChange:
    lane: str
    code: FaultCode
    active: bool
    message: str


class LaneHealth:
    def __init__(
        self,
        lane: str,
        *,
        stuck_samples: int = 160,
        saturated_samples: int = 8,
        disconnect_s: float = 2.0,
    ) -> None:
        self.lane = lane
        self.stuck_samples = stuck_samples
        self.saturated_samples = saturated_samples
        self.disconnect_s = disconnect_s
        self.active: set[FaultCode] = set()
        self._last_raw: int | None = None
        self._same = 0
        self._sat = 0
        self._last_ok: float | None = None

    def usable(self) -> bool:
        """Readings of a stuck or saturated cell must not reach the pipeline."""
        return not ({"sensor_stuck", "sensor_saturated"} & self.active)

    def observe(self, reading: Reading, now: float) -> list[FaultChange]:
        changes: list[FaultChange] = []
        if reading.status == "saturated":
            self._last_ok = now  # the chip answers: overloaded, not disconnected
            self._sat += 1
            if self._sat >= self.saturated_samples:
                changes += self._set("sensor_saturated", True, "reading at the ADC limit")
            return changes
        self._sat = 0
        changes += self._set("sensor_saturated", False, "reading back in range")
        if reading.raw is None:
            return changes + self.check(now)
        self._last_ok = now
        changes += self._set("sensor_disconnected", False, "readings again")
        if reading.raw == self._last_raw:
            self._same += 1
            if self._same >= self.stuck_samples:
                changes += self._set(
                    "sensor_stuck", True, f"{self._same} identical readings in a row"
                )
        else:
            self._same = 0
            changes += self._set("sensor_stuck", False, "readings move again")
        self._last_raw = reading.raw
        return changes

    def check(self, now: float) -> list[FaultChange]:
        """Time-based faults; call periodically even when no reading arrives."""
        if self._last_ok is None:
            self._last_ok = now
        if now - self._last_ok >= self.disconnect_s:
            return self._set(
                "sensor_disconnected", True, f"no valid reading for {now - self._last_ok:.1f} s"
            )
        return []

    def retire(self, message: str) -> list[FaultChange]:
        """The lane left the planogram: clear its active faults, so none stays open forever."""
        return [c for code in sorted(self.active) for c in self._set(code, False, message)]

    def _set(self, code: FaultCode, active: bool, message: str) -> list[FaultChange]:
        if active == (code in self.active):
            return []
        if active:
            self.active.add(code)
        else:
            self.active.discard(code)
        return [FaultChange(self.lane, code, active, message)]
