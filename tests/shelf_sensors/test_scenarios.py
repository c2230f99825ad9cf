"""Scenario tests of the pure pipeline on synthetic traces with the full noise model."""

from __future__ import annotations

import pytest

from shelf_sensors.simulation import Action, NoiseModel, SimLane
from tests.shelf_sensors.helpers import kinds, run_trace

CHIPS = SimLane("a1", "chips", mu=78.0, spread=0.02, capacity=20, low_stock_at=2, count=10)
COLA = SimLane("a2", "cola", mu=355.0, spread=0.01, capacity=24, low_stock_at=3, count=12)
GUM = SimLane("a3", "gum", mu=31.0, spread=0.03, capacity=40, low_stock_at=5, count=20)
WATER = SimLane(
    "a4",
    "water",
    mu=1540.0,
    spread=0.01,
    capacity=12,
    low_stock_at=2,
    count=8,
    full_scale_g=50_000.0,
)


def act(t: float, lane: SimLane, kind: str, qty: int, dur: float = 1.5, over: float = 120.0):
    sign = -1.0 if kind == "pick" else 1.0
    return Action(t, lane.lane, kind, qty, sign * qty * lane.mu, dur, over)  # type: ignore[arg-type]


@pytest.mark.parametrize("lane", [CHIPS, COLA, GUM, WATER], ids=lambda ln: ln.sku)
def test_single_and_multi_item_picks_and_puts(lane: SimLane) -> None:
    actions = [
        act(10, lane, "pick", 1),
        act(20, lane, "pick", 3, dur=2.5, over=200.0),
        act(32, lane, "put", 1, dur=0.6),
        act(44, lane, "put", 2, dur=3.0),
        act(56, lane, "pick", 2),
    ]
    events, pipes = run_trace([lane], actions, 70, seed=3)
    c = lane.count
    assert kinds(events[lane.lane], "pick", "put") == [
        ("pick", 1, c - 1),
        ("pick", 3, c - 4),
        ("put", 1, c - 3),
        ("put", 2, c - 1),
        ("pick", 2, c - 3),
    ]
    assert all(e.confidence >= 0.9 for e in events[lane.lane])
    assert pipes[lane.lane].count == c - 3


def test_two_hands_on_neighbouring_lanes_at_once() -> None:
    """Simultaneous touches on adjacent lanes, with mechanical crosstalk between them."""
    lanes = [CHIPS, COLA, GUM]
    actions = [
        act(10.0, CHIPS, "pick", 1, dur=2.5, over=200.0),
        act(10.3, COLA, "pick", 2, dur=2.0, over=200.0),
        act(10.1, GUM, "put", 1, dur=2.2, over=150.0),
        act(25.0, COLA, "put", 1, dur=1.0),
        act(25.2, CHIPS, "pick", 2, dur=1.2),
    ]
    noise = NoiseModel(crosstalk=0.08)
    events, _ = run_trace(lanes, actions, 40, noise=noise, seed=5)
    assert kinds(events["a1"], "pick", "put") == [("pick", 1, 9), ("pick", 2, 7)]
    assert kinds(events["a2"], "pick", "put") == [("pick", 2, 10), ("put", 1, 11)]
    assert kinds(events["a3"], "pick", "put") == [("put", 1, 21)]


def test_item_put_back_on_the_wrong_lane_is_foreign_and_count_unchanged() -> None:
    lanes = [CHIPS, COLA]
    actions = [
        act(10, COLA, "pick", 1),
        # the shopper changes their mind and drops the cola on the chips lane
        Action(22, "a1", "foreign", 0, 355.0 * 1.004, 1.5, 90.0),
        act(35, CHIPS, "pick", 1),
        # staff take the stray can back off the chips lane
        Action(50, "a1", "foreign", 0, -355.0 * 1.004, 1.5, 90.0),
    ]
    events, pipes = run_trace(lanes, actions, 65, seed=7)
    assert kinds(events["a2"], "pick", "put", "foreign") == [("pick", 1, 11)]
    assert kinds(events["a1"], "pick", "put", "foreign") == [
        ("foreign", 0, 10),
        ("pick", 1, 9),
        ("foreign", 0, 9),
    ]
    assert pipes["a1"].foreign == []


def test_slow_drift_over_hours_gives_no_events_and_tracks_zero() -> None:
    """Six hours with temperature drift (large swing) and creep: no event, no alert."""
    lane = SimLane("a1", "chips", mu=78.0, count=1, full_scale_g=5000.0, low_stock_at=0)
    noise = NoiseModel(temp_swing_k=20.0, spike_rate=1e-3)
    events, pipes = run_trace([lane], [], 6 * 3600, noise=noise, seed=11)
    assert events["a1"] == []
    assert pipes["a1"].count == 1
    assert pipes["a1"].alerts.state == "ok"


def test_spikes_are_rejected() -> None:
    """Spikes at 1e-2 per sample (10× the bench rate), up to half full scale: no events."""
    noise = NoiseModel(spike_rate=1e-2)
    actions = [act(20, COLA, "pick", 1)]
    events, _ = run_trace([COLA], actions, 60, noise=noise, seed=13)
    assert kinds(events["a2"]) == [("pick", 1, 11)]


def test_out_of_stock_within_12_s_then_restocked() -> None:
    lane = SimLane("a1", "chips", mu=78.0, count=2, low_stock_at=1, capacity=10)
    actions = [act(10, lane, "pick", 1), act(20, lane, "pick", 1), act(50, lane, "put", 6)]
    events, _ = run_trace([lane], actions, 70, seed=17)
    got = kinds(events["a1"])
    assert got == [
        ("pick", 1, 1),
        ("low_stock", 0, 1),
        ("pick", 1, 0),
        ("out_of_stock", 0, 0),
        ("put", 6, 6),
        ("restocked", 0, 6),
    ]
    oos = next(e for e in events["a1"] if e.type == "out_of_stock")
    assert oos.t - (20 + 1.5) <= 12.0


def test_stuck_sensor_never_invents_events() -> None:
    """A sensor frozen at its last value: the count stays, nothing is raised from it."""
    noise = NoiseModel(stuck_at={"a2": 15.0})
    actions = [act(8, COLA, "pick", 1), act(20, COLA, "pick", 2)]
    events, pipes = run_trace([COLA], actions, 60, noise=noise, seed=19)
    assert kinds(events["a2"]) == [("pick", 1, 11)]
    assert pipes["a2"].alerts.state == "ok"


def test_disconnected_sensor_raises_no_out_of_stock() -> None:
    noise = NoiseModel(disconnected={"a1": (10.0, 60.0)})
    lane = SimLane("a1", "chips", mu=78.0, count=1, low_stock_at=0)
    events, pipes = run_trace([lane], [], 70, noise=noise, seed=23)
    assert events["a1"] == []
    assert pipes["a1"].alerts.state == "ok"
