"""`generate`: determinism per seed, time order, streaming, the Python interface."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench.shelfgen import FAMILIES, Trace, generate
from bench.shelfgen.exceptions import ShelfgenError, UnknownFamilyError


def _head(trace: Trace, n: int = 5000) -> list[tuple[float, str, float]]:
    return list(itertools.islice(trace.samples(), n))


@pytest.mark.parametrize("family", list(FAMILIES))
def test_same_seed_same_trace(family: str) -> None:
    a, b = generate(family, 11, minutes=3), generate(family, 11, minutes=3)
    assert a.truth == b.truth
    assert a.lanes == b.lanes
    assert list(a.samples()) == list(b.samples())


def test_other_seed_or_family_other_trace() -> None:
    base = generate("mixed", 1, minutes=3)
    assert generate("mixed", 2, minutes=3).lanes != base.lanes
    assert _head(generate("clean", 1, minutes=3)) != _head(base)


def test_samples_are_re_iterable_and_in_time_order() -> None:
    trace = generate("rails", 4, minutes=4, rate_hz=80)
    first, second = list(trace.samples()), list(trace.samples())
    assert first == second
    times = np.array([t for t, _, _ in first])
    assert np.all(np.diff(times) >= 0)
    assert times[0] >= 0
    assert times[-1] < trace.duration_s
    assert {lane for _, lane, _ in first} == set(trace.lanes)
    assert all(isinstance(g, float) for _, _, g in first[:100])


@pytest.mark.parametrize("rate", [10, 40, 80])
def test_rate_is_per_lane_samples_per_second(rate: int) -> None:
    trace = generate("clean", 1, minutes=2, rate_hz=rate)
    per_lane = len(list(trace.samples())) / len(trace.lanes) / trace.duration_s
    assert per_lane == pytest.approx(rate, rel=0.015)  # each ADC's own oscillator: ±1 %


def test_a_day_is_streamed_not_held() -> None:
    """24 h × 8 lanes × 40 Hz is 27.6 M samples: nothing is rendered until asked, chunk by chunk."""
    trace = generate("quiet", 1000, minutes=24 * 60)
    chunk = next(trace.chunks())
    assert 0.85 * 60 * 40 * 8 < len(chunk.t) < 1.01 * 60 * 40 * 8  # quiet has failed reads
    assert chunk.t[-1] < 60.0
    assert next(iter(trace.samples()))[0] < 0.1
    assert trace.truth[0]["held_out"] is True


def test_interface_shapes() -> None:
    trace = generate("foreign", 3, minutes=5)
    assert trace.truth[0]["type"] == "trace"
    assert trace.truth[0]["held_out"] is False
    for entry in trace.lanes.values():
        assert isinstance(entry["sku"], str)
        assert isinstance(entry["unit_weight_g"], float)
        assert isinstance(entry["capacity"], int)
    kinds = {r["type"] for r in trace.truth}
    assert {"trace", "init", "pick", "put"} <= kinds


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(UnknownFamilyError, match="known: clean"):
        generate("sunny", 1)
    with pytest.raises(ShelfgenError):
        generate("clean", -1)
    with pytest.raises(ShelfgenError):
        generate("clean", 1, rate_hz=0)
