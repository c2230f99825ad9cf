"""The re-send timeout follows the cloud's ack latency (RFC 6298) and backs off."""

from __future__ import annotations

import pytest

from edge.acks import ResendTimer
from edge.config import OutboxSettings


def test_starts_at_the_configured_timeout_within_bounds() -> None:
    assert ResendTimer.from_settings(OutboxSettings()).rto == 5.0
    assert ResendTimer(0.1, 1.0, 60.0).rto == 1.0
    assert ResendTimer(100.0, 1.0, 60.0).rto == 60.0


def test_first_sample_sets_srtt_and_rttvar_then_they_smooth() -> None:
    timer = ResendTimer(5.0, 0.01, 300.0)
    timer.sample(0.4)
    assert (timer.srtt, timer.rttvar) == (0.4, 0.2)
    assert timer.rto == pytest.approx(0.4 + 4 * 0.2)
    timer.sample(0.8)
    assert timer.rttvar == pytest.approx(0.75 * 0.2 + 0.25 * 0.4)
    assert timer.srtt == pytest.approx(0.875 * 0.4 + 0.125 * 0.8)
    assert timer.rto == pytest.approx(timer.srtt + 4 * timer.rttvar)


def test_steady_latency_converges_and_is_clamped_below() -> None:
    timer = ResendTimer(5.0, 1.0, 300.0)
    for _ in range(200):
        timer.sample(0.05)
    assert timer.rto == 1.0  # srtt + 4·rttvar ≈ 0.1 s, but never under the minimum


def test_backoff_doubles_up_to_the_maximum_and_a_sample_ends_it() -> None:
    timer = ResendTimer(5.0, 1.0, 30.0)
    timer.backoff()
    timer.backoff()
    assert (timer.rto, timer.backoffs) == (20.0, 2)
    timer.backoff()
    assert timer.rto == 30.0
    timer.sample(2.0)
    assert (timer.rto, timer.backoffs) == (pytest.approx(2.0 + 4 * 1.0), 0)
