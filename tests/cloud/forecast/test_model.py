"""Acceptance 4: on demand with weekly seasonality and noise, the forecast beats
seasonal-naive in a rolling-origin backtest (WAPE on the same data and origins)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cloud.forecast.model import SEASON, backtest, fit, seasonal_naive, wape
from cloud.forecast.service import suggest

WEEKLY = np.array([0.7, 0.8, 0.9, 1.0, 1.2, 1.6, 1.3])


def generated(n_series: int, days: int, seed: int) -> list[list[float]]:
    """Poisson demand: level per series × weekday factor × slow drift."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_series):
        level = rng.uniform(1.5, 40)
        t = np.arange(days)
        lam = level * WEEKLY[t % SEASON] * (1 + 0.3 * np.sin(t / 60))
        out.append(rng.poisson(lam).astype(float).tolist())
    return out


def test_forecast_beats_seasonal_naive_on_generated_weekly_demand() -> None:
    for seed in (1, 2, 3):
        result = backtest(generated(25, 126, seed), horizon=7, origins=8)
        assert result.origins == 25 * 8
        assert 0 < result.wape < result.baseline_wape, (seed, result)
        assert result.beats_baseline


def test_fit_learns_the_weekday_pattern() -> None:
    y = [10 * f for f in WEEKLY] * 8  # noiseless, 8 weeks ending on day 6 of the cycle
    pred = fit(y).forecast(7)
    assert np.allclose(pred, 10 * WEEKLY, rtol=0.05)
    assert np.array_equal(seasonal_naive(y, 7), np.array(y[-7:]))


def test_wape_definition() -> None:
    assert wape(np.array([10.0, 0.0, 5.0]), np.array([8.0, 1.0, 5.0])) == 3 / 15
    assert wape(np.zeros(3), np.ones(3)) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 1000).map(float)),
        max_size=60,
    )
)
def test_any_history_gives_a_finite_non_negative_forecast(history: list[float]) -> None:
    model = fit(history)
    pred = model.forecast(10)
    assert pred.shape == (10,)
    assert np.all(np.isfinite(pred))
    assert np.all(pred >= 0)
    assert np.isfinite(model.sigma)


@given(
    st.floats(0, 500),
    st.floats(0, 50),
    st.integers(1, 30),
    st.sampled_from([0.5, 0.9, 0.99]),
    st.decimals(-50, 500, places=0),
    st.decimals(0, 200, places=0),
)
def test_reorder_formula(
    f: float, sigma: float, lead: int, level: float, on_hand: Decimal, on_order: Decimal
) -> None:
    need, safety, order = suggest(f, sigma, lead, level, on_hand, on_order)
    assert order >= 0
    assert order == order.to_integral_value()
    assert order >= need + safety - on_hand - on_order
    assert order - 1 < max(need + safety - on_hand - on_order, Decimal(0))
    if level == 0.5:
        assert safety == 0
