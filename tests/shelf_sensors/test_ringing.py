"""The level under a release's ringing (``shelf_sensors.ringing``)."""

from __future__ import annotations

import math

from shelf_sensors.ringing import RingingLevel

RATE = 40.0


def _feed(level: RingingLevel, samples: list[float], tolerance: float) -> list[tuple[float, float]]:
    seen = []
    for i, g in enumerate(samples):
        out = level.push(i / RATE, g, tolerance)
        if out is not None:
            seen.append(out)
    return seen


def test_the_median_of_ringing_is_its_centre() -> None:
    ring = [1000.0 + 12.0 * math.exp(-i / 40) * math.sin(i * 0.6) for i in range(60)]
    seen = _feed(RingingLevel(), ring, 4.0)
    assert seen, "a window of decaying ringing is a level"
    assert all(abs(centre - 1000.0) < 1.5 for _, centre in seen)


def test_a_window_across_a_step_is_one_side_never_between_and_a_press_is_none() -> None:
    step = [1000.0] * 20 + [962.0] * 20
    assert {centre for _, centre in _feed(RingingLevel(), step, 3.8)} <= {1000.0, 962.0}
    press = [1000.0 + 60.0 * (1 + 0.3 * math.sin(i / RATE * 2 * math.pi * 0.5)) for i in range(80)]
    press = [g + (8.0 if i % 2 else -8.0) for i, g in enumerate(press)]
    assert _feed(RingingLevel(), press, 3.8) == []


def test_reset_starts_a_new_window() -> None:
    level = RingingLevel()
    assert _feed(level, [500.0] * 30, 2.0)
    level.reset()
    assert level.push(10.0, 500.0, 2.0) is None
