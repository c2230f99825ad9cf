"""The load cell Protocol every source implements, and the reading it yields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ReadStatus = Literal["ok", "failed", "saturated"]

RAW_MIN = -0x800000
RAW_MAX = 0x7FFFFF


@dataclass(frozen=True, slots=True)
class Reading:
    """One conversion of one lane's cell: raw ADC counts, or why there are none.

    ``t`` is seconds on the source's own clock (the MCU's for serial, the host's monotonic
    clock for GPIO), so the pipeline sees the true sample spacing.
    """

    lane: str
    t: float
    raw: int | None
    status: ReadStatus = "ok"


def classify_raw(raw: int) -> ReadStatus:
    """HX711 output clamps at the 24-bit limits when the input is out of range."""
    return "saturated" if raw <= RAW_MIN or raw >= RAW_MAX else "ok"


class LoadCell(Protocol):
    """A blocking source of readings for a set of lanes; one reader thread calls ``read``."""

    lanes: list[str]

    def open(self) -> None: ...

    def read(self, timeout: float) -> list[Reading]:
        """Readings available within ``timeout`` seconds (maybe none); never raises on bad data."""
        ...

    def close(self) -> None: ...
