"""Tare and two-point calibration of a lane's cell: raw counts → grams. Pure arithmetic.

``grams = (raw − offset) · scale``. Tare moves ``offset`` (only on a lane confirmed empty);
two-point sets both from an empty reading and a reading with a known weight. Both use the
median of a burst of readings and refuse a burst that moved (someone touched the shelf).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from shelf_sensors.exceptions import CalibrationError

MIN_SAMPLES = 16


@dataclass(frozen=True, slots=True)
class Calibration:
    offset: float = 0.0
    """Raw counts with the lane empty."""
    scale: float = 1.0
    """Grams per raw count."""

    def grams(self, raw: int) -> float:
        return (raw - self.offset) * self.scale


@dataclass(frozen=True, slots=True)
class Burst:
    """The robust centre of a burst of raw readings and how much they moved."""

    median: float
    mad: float
    n: int


def summarize(samples: Sequence[int | None], max_mad: float | None = None) -> Burst:
    """Median and MAD of the valid readings; refuse too few or (``max_mad``) unsteady ones."""
    valid = [s for s in samples if s is not None]
    if len(valid) < MIN_SAMPLES:
        raise CalibrationError(f"only {len(valid)} valid readings (need {MIN_SAMPLES})")
    med = statistics.median(valid)
    mad = statistics.median(abs(v - med) for v in valid)
    if max_mad is not None and mad > max_mad:
        raise CalibrationError(f"readings not steady (MAD {mad:.0f} counts): keep hands off")
    return Burst(float(med), float(mad), len(valid))


def tare(
    current: Calibration, samples: Sequence[int | None], *, confirmed_empty: bool
) -> Calibration:
    """New zero from a burst on an empty lane; the scale is kept."""
    if not confirmed_empty:
        raise CalibrationError("tare refused: the lane is not confirmed empty")
    burst = summarize(samples, max_mad=_steady_counts(current.scale))
    return Calibration(offset=burst.median, scale=current.scale)


def two_point(
    empty: Sequence[int | None], loaded: Sequence[int | None], known_grams: float
) -> Calibration:
    """Offset from the empty burst, scale from the burst with ``known_grams`` on the lane."""
    if known_grams <= 0:
        raise CalibrationError("the known weight must be positive")
    zero = summarize(empty)
    span = summarize(loaded)
    counts = span.median - zero.median
    if abs(counts) < 100:
        raise CalibrationError(
            f"the known weight moved the reading by only {counts:.0f} counts: is it on the lane?"
        )
    scale = known_grams / counts
    steady = _steady_counts(scale)
    if zero.mad > steady or span.mad > steady:
        raise CalibrationError("readings not steady during calibration: keep hands off")
    return Calibration(offset=zero.median, scale=scale)


def _steady_counts(scale: float) -> float:
    """A burst counts as steady when its MAD is within 3 g."""
    return abs(3.0 / scale) if scale else float("inf")
