"""The pure lane state of a shelf node: readings in, planogram and calibration changes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from contracts.pricebook import PriceBook, Product
from shelf_sensors.calibration import MIN_SAMPLES, Calibration
from shelf_sensors.config import HealthSettings
from shelf_sensors.exceptions import CalibrationError, LaneConfigError
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.loadcell.base import Reading
from shelf_sensors.settings import DetectionSettings
from shelf_sensors.shelf_state import RECENT_RAW, ShelfState

A1 = LaneSpec(lane="a1", sku="chips", unit_weight_g=78.0)
A2 = LaneSpec(lane="a2", sku="cola", unit_weight_g=355.0)


def _state(*lanes: LaneSpec, **kw: object) -> ShelfState:
    return ShelfState(
        lanes or (A1, A2),
        detection=DetectionSettings(),
        health=HealthSettings(saturated_samples=2),
        **kw,  # type: ignore[arg-type]
    )


def _read(state: ShelfState, reading: Reading, now: float = 0.0) -> None:
    assert state.observe(reading, now) is not None
    state.feed(reading)


def test_reading_of_a_lane_not_counted_is_ignored() -> None:
    state = _state()
    assert state.observe(Reading("zz", 0.0, 1000), 0.0) is None
    assert state.processed == 0


def test_only_good_readings_of_a_usable_sensor_reach_the_pipeline() -> None:
    state = _state(calibrations={"a1": Calibration(1000.0, 0.5)})
    _read(state, Reading("a1", 0.0, None, "failed"))
    _read(state, Reading("a1", 0.1, 1200))
    _read(state, Reading("a1", 0.2, 0x7FFFFF, "saturated"))
    saturated = Reading("a1", 0.3, 0x7FFFFF, "saturated")
    changes = state.observe(saturated, 0.3)
    assert [(c.code, c.active) for c in changes or []] == [("sensor_saturated", True)]
    state.feed(saturated)
    assert state.processed == 4
    assert list(state.recent["a1"]) == [1200]


def test_good_readings_are_fed_in_calibrated_grams() -> None:
    state = _state(calibrations={"a1": Calibration(1000.0, 0.5)})
    for i in range(240):  # 3 s at 80 Hz of 1200 ± 1 counts: 100 g ± 0.5 g
        _read(state, Reading("a1", i / 80, 1200 + i % 2), i / 80)
    pipe = state.pipelines["a1"]
    assert pipe.grams == pytest.approx(100.25, abs=0.5)
    assert pipe.count == 1  # the first stable weight sets the count: round(100 / 78)
    assert state.processed == 240


def test_uncalibrated_lane_gets_the_default_scale_once(caplog: pytest.LogCaptureFixture) -> None:
    state = _state(default_scale=0.25)
    with caplog.at_level(logging.WARNING, logger="shelf_sensors.shelf_state"):
        first = state.calibration("a2")
        again = state.calibration("a2")
    assert first == again == Calibration(0.0, 0.25)
    assert state.calibrations["a2"] is first
    assert sum("no calibration" in r.message for r in caplog.records) == 1


def test_lane_arg_accepts_only_a_counted_lane() -> None:
    state = _state()
    assert state.lane_arg({"lane": "a2"}) == "a2"
    for args in ({"lane": "zz"}, {"lane": 3}, {}):
        with pytest.raises(CalibrationError, match="unknown lane"):
            state.lane_arg(args)


def test_tare_is_refused_while_the_lane_counts_units() -> None:
    state = _state()
    state.recent["a1"].extend([5000] * MIN_SAMPLES)
    state.pipelines["a1"].count = 2
    with pytest.raises(CalibrationError, match="still counts 2"):
        state.tare("a1", confirmed_empty=True)
    state.pipelines["a1"].count = 0
    assert state.tare("a1", confirmed_empty=True) == Calibration(5000.0, 1.0)


def test_two_point_scale_from_the_current_zero_and_recent_counts() -> None:
    state = _state(calibrations={"a2": Calibration(1000.0, 1.0)})
    state.recent["a2"].extend([2000] * MIN_SAMPLES)
    assert state.two_point("a2", 500.0) == Calibration(1000.0, 0.5)


def test_restart_keeps_the_learned_unit_and_forgets_old_counts() -> None:
    state = _state()
    old = state.pipelines["a1"]
    old.count = 3
    state.recent["a1"].extend([1, 2, 3])
    state.restart("a1")
    fresh = state.pipelines["a1"]
    assert fresh is not old
    assert fresh.unit is old.unit
    assert fresh.count is None
    assert len(state.recent["a1"]) == 0
    assert state.recent["a1"].maxlen == RECENT_RAW


def test_planogram_keeps_counting_kept_lanes_and_drops_the_rest() -> None:
    state = _state()
    kept = state.pipelines["a1"]
    kept.count = 4
    a3 = LaneSpec(lane="a3", sku="gum", unit_weight_g=31.0)
    state.configure([A1.model_copy(update={"capacity": 40}), a3])
    assert sorted(state.specs) == sorted(state.pipelines) == ["a1", "a3"]
    assert state.pipelines["a1"] is kept
    assert (kept.count, kept.spec.capacity) == (4, 40)
    assert "a3" in state.health
    assert state.recent["a3"].maxlen == RECENT_RAW
    assert state.observe(Reading("a2", 0.0, 1000), 0.0) is None


def test_a_removed_lane_stops_being_watched_and_its_faults_are_cleared() -> None:
    state = _state()
    for t in (0.0, 0.1):  # two rail readings: saturated (saturated_samples=2)
        state.observe(Reading("a2", t, 0x7FFFFF, "saturated"), t)
    assert state.health["a2"].active == {"sensor_saturated"}
    cleared = state.configure([A1])
    assert [(c.lane, c.code, c.active) for c in cleared] == [("a2", "sensor_saturated", False)]
    assert "a2" not in state.health
    assert "a2" not in state.recent
    # the periodic check no longer sees a2, so no "disconnected" for a lane that is gone
    assert all(h.lane == "a1" for h in state.health.values())
    assert state.configure([A1]) == []


def _book(version: int, *products: Product) -> PriceBook:
    return PriceBook(
        store="demo", version=version, published_at=datetime.now(UTC), products=list(products)
    )


def test_price_book_fills_a_waiting_lane() -> None:
    tea = LaneSpec(lane="t1", sku="tea")
    state = _state(A1, tea)
    assert sorted(state.pipelines) == ["a1"]  # tea waits for a unit weight
    product = Product(
        sku="tea", name="Tea", price="5.00", unit_weight_g="500", gtins=["06901234567892"]
    )
    state.apply_pricebook(_book(2, product))
    assert sorted(state.pipelines) == ["a1", "t1"]
    assert (state.specs["t1"].unit_weight_g, state.specs["t1"].gtin) == (500.0, "06901234567892")


def test_price_book_is_kept_when_the_lanes_do_not_resolve() -> None:
    state = _state()
    with pytest.raises(LaneConfigError, match="twice"):
        state.configure([A1, A1])
    book = _book(3)
    with pytest.raises(LaneConfigError):
        state.apply_pricebook(book)
    assert state.pricebook is book
    assert sorted(state.pipelines) == ["a1", "a2"]


def test_lane_states_lists_every_counted_lane() -> None:
    state = _state()
    state.pipelines["a2"].count = 5
    assert state.lane_states() == {
        "lanes": {
            "a1": {"count": None, "state": "ok", "sku": "chips"},
            "a2": {"count": 5, "state": "ok", "sku": "cola"},
        }
    }
