"""Scenario files: durations, times of day, the bundled files, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.exceptions import ScenarioError
from simulators.scenario import load_scenario, parse_duration, parse_time_of_day


@given(st.integers(0, 200), st.integers(0, 59), st.integers(0, 59))
def test_duration_text_equals_its_seconds(h: int, m: int, s: int) -> None:
    text = f"{h}h{m}m{s}s"
    assert parse_duration(text) == h * 3600 + m * 60 + s
    assert parse_duration(h * 3600 + m * 60 + s) == parse_duration(text)


@given(st.text(max_size=12))
def test_duration_never_crashes_on_garbage(text: str) -> None:
    try:
        value = parse_duration(text)
    except ValueError:
        return
    assert value >= 0


@pytest.mark.parametrize("bad", ["", "5x", "m", "-5m", True, None, "24:00", [1]])
def test_bad_durations_and_times_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)
    with pytest.raises(ValueError):
        parse_time_of_day(bad)


@pytest.mark.parametrize("name", ["day", "outage", "faults", "demo"])
def test_bundled_scenarios_load(name: str) -> None:
    sc = load_scenario(name)
    assert sc.name == name
    assert sc.speed > 0


def test_outage_scenario_schedules_outage_then_crash() -> None:
    sc = load_scenario("outage")
    kinds = [(f.kind, f.at) for f in sc.faults]
    assert kinds == [("broker_outage", 12 * 3600.0), ("node_crash", 12 * 3600.0 + 120)]


def test_unknown_field_and_unknown_lane_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("speed: 10\nfaults:\n  - {kind: sensor_stuck, at: '10:00', lane: l9}\n")
    with pytest.raises(ScenarioError, match="unknown lane l9"):
        load_scenario(path)
    path.write_text("speeed: 10\n")
    with pytest.raises(ScenarioError, match="speeed"):
        load_scenario(path)
    path.write_text("- not a mapping\n")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.yaml")


def test_overrides_win_over_the_file() -> None:
    assert load_scenario("day", speed=5).speed == 5
