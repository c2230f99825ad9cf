"""Daily demand forecasting with weekly seasonality, and its backtest. Pure (numpy only).

The model is an exponentially smoothed level times day-of-week factors (Holt-Winters,
multiplicative season, no trend): retail daily demand is dominated by the weekday pattern
and a slowly moving level, and this form stays stable on intermittent series. Smoothing
constants are picked per series from a small grid by one-step-ahead error on the history.
The baseline every result is compared with is seasonal-naive (the same weekday last week).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray

SEASON = 7
ALPHAS = (0.05, 0.1, 0.2, 0.35)
GAMMAS = (0.02, 0.05, 0.15)
FLOOR = 1e-3
MAX_UNITS = 1e9

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    """A fitted series: the state to forecast from and the one-step residuals."""

    level: float
    factors: FloatArray  # indexed by position in the season of the *next* day onwards
    alpha: float
    gamma: float
    residuals: FloatArray

    def forecast(self, horizon: int) -> FloatArray:
        idx = np.arange(horizon) % SEASON
        return np.maximum(self.level * self.factors[idx], 0.0)

    @property
    def sigma(self) -> float:
        """Spread of one-step errors (after the first season), for safety stock."""
        tail = self.residuals[SEASON:]
        return float(np.sqrt(np.mean(tail**2))) if tail.size else 0.0


def _run(y: FloatArray, alpha: float, gamma: float) -> Fit:
    n = y.size
    weeks = max(1, min(n // SEASON, 4))
    head = y[: weeks * SEASON].reshape(weeks, SEASON) if n >= SEASON else None
    if head is None:
        mean = float(y.mean()) if n else 0.0
        return Fit(mean, np.ones(SEASON), alpha, gamma, np.zeros(0))
    level = max(float(head.mean()), FLOOR)
    factors = np.maximum(head.mean(axis=0) / level, FLOOR)
    season = factors.copy()
    residuals = np.empty(n)
    for t in range(n):
        s = season[t % SEASON]
        pred = level * s
        residuals[t] = y[t] - pred
        new_level = alpha * (y[t] / s) + (1 - alpha) * level
        level = max(new_level, FLOOR)
        season[t % SEASON] = max(gamma * (y[t] / level) + (1 - gamma) * s, FLOOR)
    # Rotate so index 0 is the day after the last observation.
    rotated = np.roll(season, -(n % SEASON))
    return Fit(level, rotated, alpha, gamma, residuals)


def fit(history: FloatArray | list[float]) -> Fit:
    """Best (alpha, gamma) on the grid by mean absolute one-step error after a warm-up."""
    y = np.asarray(history, dtype=np.float64)
    # Bad readings (NaN, negative, absurd) must not poison the state: clip to a sane range.
    y = np.clip(np.where(np.isfinite(y) & (y > 0), y, 0.0), 0.0, MAX_UNITS)
    best: Fit | None = None
    best_err = float("inf")
    for alpha, gamma in product(ALPHAS, GAMMAS):
        cand = _run(y, alpha, gamma)
        tail = np.abs(cand.residuals[2 * SEASON :])
        err = float(tail.mean()) if tail.size else 0.0
        if err < best_err:
            best, best_err = cand, err
    assert best is not None
    return best


def seasonal_naive(history: FloatArray | list[float], horizon: int) -> FloatArray:
    """Each future day equals the same weekday of the last observed week."""
    y = np.asarray(history, dtype=np.float64)
    if y.size < SEASON:
        return np.full(horizon, float(y.mean()) if y.size else 0.0)
    last = y[-SEASON:]
    return last[np.arange(horizon) % SEASON]


def wape(actual: FloatArray, predicted: FloatArray) -> float:
    """Weighted absolute percentage error: Σ|a − f| / Σ|a| (0 when nothing was sold)."""
    denom = float(np.abs(actual).sum())
    return float(np.abs(actual - predicted).sum()) / denom if denom else 0.0


@dataclass(frozen=True)
class Backtest:
    origins: int
    horizon: int
    wape: float
    baseline_wape: float

    @property
    def beats_baseline(self) -> bool:
        return self.wape < self.baseline_wape


def backtest(
    series: list[FloatArray] | list[list[float]],
    horizon: int = 7,
    origins: int = 8,
    min_train: int = 4 * SEASON,
) -> Backtest:
    """Rolling-origin backtest over several series; WAPE pooled over every forecast made."""
    errs, base_errs, actual_sum = 0.0, 0.0, 0.0
    used = 0
    for raw in series:
        y = np.asarray(raw, dtype=np.float64)
        last_origin = y.size - horizon
        first_origin = max(min_train, last_origin - (origins - 1) * horizon)
        for origin in range(first_origin, last_origin + 1, horizon):
            train, test = y[:origin], y[origin : origin + horizon]
            errs += float(np.abs(test - fit(train).forecast(horizon)).sum())
            base_errs += float(np.abs(test - seasonal_naive(train, horizon)).sum())
            actual_sum += float(np.abs(test).sum())
            used += 1
    if not actual_sum:
        return Backtest(used, horizon, 0.0, 0.0)
    return Backtest(used, horizon, errs / actual_sum, base_errs / actual_sum)
