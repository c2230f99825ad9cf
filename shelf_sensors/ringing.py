"""The level under a release's ringing: a robust centre of the readings while the lane is
not yet still, so a pick put back before the ringing has died is still seen (0265).

A light lane rings for a second or more after a hand lets go; if the shopper puts the item
back within ~2 s the lane never looks still in between and the pick and the put cancel into
nothing. Ringing is symmetric about the true level, so the median of a window of it is that
level; a window is kept as a level only when its two halves agree and its spread is small
against a unit. Pure: samples in, ``(start, level)`` out; no I/O, no clock.
"""

from __future__ import annotations

from collections import deque
from statistics import median

MAD_TO_SIGMA = 1.4826


class RingingLevel:
    """Median and robust spread of the last ``window_s`` of readings, checked every
    ``every`` samples (a sort of ~25 numbers ten times a second: cheap on a Pi)."""

    def __init__(self, window_s: float = 0.6, every: int = 4) -> None:
        self.window_s = window_s
        self.every = every
        self._win: deque[tuple[float, float]] = deque()
        self._n = 0

    def reset(self) -> None:
        self._win.clear()
        self._n = 0

    def push(self, t: float, grams: float, tolerance_g: float) -> tuple[float, float] | None:
        """Add a reading; ``(start of the window, median)`` when the window is full, its two
        halves' medians are within ``tolerance_g`` and so is its robust spread (σ from MAD)."""
        win = self._win
        win.append((t, grams))
        while win[0][0] < t - self.window_s:
            win.popleft()
        self._n += 1
        if self._n % self.every or t - win[0][0] < 0.9 * self.window_s:
            return None
        values = [g for _, g in win]
        half = len(values) // 2
        centre = median(values)
        if abs(median(values[:half]) - median(values[half:])) > tolerance_g:
            return None
        spread = MAD_TO_SIGMA * median(abs(g - centre) for g in values)
        return (win[0][0], centre) if spread <= tolerance_g else None
