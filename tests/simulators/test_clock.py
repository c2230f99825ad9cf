"""The simulation clock: speed, continuity when the speed changes, sleeping on it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from simulators.clock import SimClock

START = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_slower_clock_goes_on_from_where_it_was() -> None:
    real = FakeMonotonic()
    clock = SimClock(START, 1200, monotonic=real)
    real.t += 10  # 10 real s at 1200x: 3 h 20 min
    assert clock.now() == START + timedelta(hours=3, minutes=20)
    clock.set_speed(120)
    assert clock.now() == START + timedelta(hours=3, minutes=20)  # no jump
    real.t += 10  # 10 real s at 120x: 20 min
    assert clock.now() == START + timedelta(hours=3, minutes=40)
    assert clock.real_seconds(120) == 1.0


def test_a_sleeper_does_not_wake_early_when_the_clock_slows() -> None:
    clock = SimClock(START, 10_000)
    stop, woke = threading.Event(), threading.Event()
    target = clock.elapsed() + 3_000  # 0.3 s real at 10,000x
    sleeper = threading.Thread(target=lambda: clock.sleep_until(target, stop) and woke.set())
    sleeper.start()
    clock.set_speed(1_000)  # now 3 s real
    sleeper.join(1.0)
    assert not woke.is_set()
    assert clock.elapsed() < target
    stop.set()
    sleeper.join(1.0)


def test_a_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SimClock(START, 60).set_speed(0)
