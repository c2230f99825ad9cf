"""Per-sample signal stages of the shelf pipeline: glitch rejection, smoothing, stability.

Pure and incremental (one sample in, at most one out) so the live node and the replay
command run exactly the same arithmetic. Constants follow FIELD-NOTES "Load cells".
"""

from __future__ import annotations

import math
from collections import deque


class Hampel:
    """Centred Hampel filter: a sample further than ``k``·MAD *and* ``floor_g`` from the
    window median is replaced by the median. Output lags input by ``window // 2`` samples."""

    __slots__ = ("_buf", "_floor", "_half", "_k", "_window", "mad")

    def __init__(self, window: int = 7, k: float = 4.0, floor_g: float = 5.0) -> None:
        self._window = window
        self._half = window // 2
        self._k = k
        self._floor = floor_g
        self._buf: deque[tuple[float, float]] = deque(maxlen=window)
        self.mad = 0.0
        """Latest scaled MAD (≈ σ for Gaussian noise), used for the noise estimate."""

    def push(self, t: float, x: float) -> tuple[float, float, bool] | None:
        """Add a sample; return ``(t, value, replaced)`` of the centre sample once full."""
        buf = self._buf
        buf.append((t, x))
        if len(buf) < self._window:
            return None
        values = sorted([v for _, v in buf])
        med = values[self._half]
        devs = sorted([abs(v - med) for v in values])
        mad = 1.4826 * devs[self._half]
        self.mad = mad
        tc, xc = buf[self._half]
        dev = abs(xc - med)
        if dev > self._floor and dev > self._k * mad:
            return tc, med, True
        return tc, xc, False

    def reset(self) -> None:
        self._buf.clear()


class Median3:
    """Running median of the last three samples: kills what the Hampel window lets through."""

    __slots__ = ("_a", "_b", "_n")

    def __init__(self) -> None:
        self._a = 0.0
        self._b = 0.0
        self._n = 0

    def push(self, x: float) -> float:
        a, b = self._a, self._b
        self._a, self._b = b, x
        if self._n < 2:
            self._n += 1
            return x
        if a > b:
            a, b = b, a
        return a if x < a else (b if x > b else x)


class Ema:
    """Exponential moving average with a time constant, robust to uneven sample spacing."""

    __slots__ = ("_t", "_tau", "value")

    def __init__(self, tau_s: float = 0.25) -> None:
        self._tau = tau_s
        self._t: float | None = None
        self.value = 0.0

    def push(self, t: float, x: float) -> float:
        if self._t is None:
            self.value = x
        else:
            dt = t - self._t
            if dt > 0:
                alpha = 1.0 - math.exp(-dt / self._tau)
                self.value += alpha * (x - self.value)
        self._t = t
        return self.value


class Stability:
    """Stable when, over the last ``window_s``, max−min of the smoothed signal is under
    ``band`` and its least-squares slope is under ``max_slope`` g/s.

    Keeps the raw (pre-EMA) values of the window too: their mean is the unbiased "stable
    weight", free of the EMA's lag. Max/min use monotonic deques, the slope running sums:
    O(1) per sample.
    """

    def __init__(self, window_s: float = 0.5, max_slope: float = 1.0) -> None:
        self.window_s = window_s
        self.max_slope = max_slope
        self._win: deque[tuple[float, float, float]] = deque()
        self._maxq: deque[tuple[float, float]] = deque()
        self._minq: deque[tuple[float, float]] = deque()
        self._t0 = 0.0
        self._n = 0
        self._st = self._sv = self._stt = self._stv = 0.0
        self._raw_sum = 0.0
        self.span = 0.0
        self.slope = 0.0

    def push(self, t: float, smooth: float, raw: float) -> list[tuple[float, float, float]]:
        """Add a sample; return the samples that left the window as ``(t, smooth, raw)``."""
        if self._n == 0:
            self._t0 = t
        win = self._win
        win.append((t, smooth, raw))
        x = t - self._t0
        self._n += 1
        self._st += x
        self._sv += smooth
        self._stt += x * x
        self._stv += x * smooth
        self._raw_sum += raw
        maxq, minq = self._maxq, self._minq
        while maxq and maxq[-1][1] <= smooth:
            maxq.pop()
        maxq.append((t, smooth))
        while minq and minq[-1][1] >= smooth:
            minq.pop()
        minq.append((t, smooth))
        gone: list[tuple[float, float, float]] = []
        limit = t - self.window_s
        while win[0][0] < limit:
            old = win.popleft()
            gone.append(old)
            ox = old[0] - self._t0
            self._n -= 1
            self._st -= ox
            self._sv -= old[1]
            self._stt -= ox * ox
            self._stv -= ox * old[1]
            self._raw_sum -= old[2]
        while maxq[0][0] < limit:
            maxq.popleft()
        while minq[0][0] < limit:
            minq.popleft()
        if x > 60.0:  # re-base the running sums now and then to bound rounding
            self._rebase()
        self.span = maxq[0][1] - minq[0][1]
        n = self._n
        den = n * self._stt - self._st * self._st
        self.slope = (n * self._stv - self._st * self._sv) / den if den > 1e-12 else 0.0
        return gone

    def _rebase(self) -> None:
        self._t0 = self._win[0][0]
        self._st = self._stt = self._stv = 0.0
        for t, s, _ in self._win:
            x = t - self._t0
            self._st += x
            self._stt += x * x
            self._stv += x * s

    def covered(self) -> float:
        """Seconds of signal the window holds, each sample counting for its own period.

        The first-to-last span alone falls one period short of ``window_s`` (and float
        rounding can drop the sample at exactly ``t - window_s``), which at 10 or 40 samples/s
        kept a lane from ever being stable. :meth:`is_stable` asks for 75 % of the window so
        a failed read at its start (rows missing) does not make a settled lane flicker.
        """
        n = len(self._win)
        if n < 2:
            return 0.0
        return (self._win[-1][0] - self._win[0][0]) * n / (n - 1)

    def is_stable(self, band: float, max_slope: float | None = None) -> bool:
        limit = self.max_slope if max_slope is None else max_slope
        return (
            self.covered() >= self.window_s * 0.75 and self.span < band and abs(self.slope) < limit
        )

    def raw_std(self) -> float:
        """Sample standard deviation of the raw values in the window (a hand's tremor shows
        here even when the smoothed signal looks flat)."""
        n = len(self._win)
        if n < 2:
            return math.inf
        mean = self._raw_sum / n
        return math.sqrt(sum((r - mean) ** 2 for _, _, r in self._win) / (n - 1))

    def raw_mean(self) -> float:
        return self._raw_sum / len(self._win) if self._win else 0.0

    def reset(self) -> None:
        self._win.clear()
        self._maxq.clear()
        self._minq.clear()
        self._n = 0
        self._st = self._sv = self._stt = self._stv = self._raw_sum = 0.0
