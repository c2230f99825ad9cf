"""Stability detection at the sample rates real boards use, with grid and jittered clocks."""

from __future__ import annotations

import random

import pytest

from shelf_sensors.filters import Stability


def feed(rate_hz: float, seconds: float, *, jitter: float = 0.0) -> Stability:
    """A flat 500 g signal, timestamps built by adding the period (as boards do)."""
    rng = random.Random(7)
    stab = Stability(window_s=0.5, max_slope=1.0)
    t = 0.0
    period = 1.0 / rate_hz
    while t < seconds:
        stab.push(t, 500.0, 500.0)
        t += period * (1.0 + rng.uniform(-jitter, jitter))
    return stab


@pytest.mark.parametrize("rate_hz", [10.0, 40.0, 80.0, 100.0])
def test_flat_signal_becomes_stable_at_every_rate(rate_hz: float) -> None:
    assert feed(rate_hz, 3.0).is_stable(band=2.0)


@pytest.mark.parametrize("rate_hz", [10.0, 40.0, 80.0])
def test_jittered_timestamps_still_become_stable(rate_hz: float) -> None:
    assert feed(rate_hz, 3.0, jitter=0.2).is_stable(band=2.0)


def test_not_stable_before_a_full_window() -> None:
    assert not feed(80.0, 0.3).is_stable(band=2.0)


def test_moving_signal_is_not_stable() -> None:
    stab = Stability(window_s=0.5, max_slope=1.0)
    for i in range(200):
        t = i / 80.0
        stab.push(t, 500.0 + 10.0 * t, 500.0 + 10.0 * t)  # 10 g/s ramp
    assert not stab.is_stable(band=50.0)
