"""Lane events, lane state and faults as the outbox payloads the cloud receives."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.health import FaultChange
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.payloads import NO_GTIN, fault, lane_fault, shelf_event, stock

SPEC = LaneSpec(lane="a1", sku="chips", unit_weight_g=78.0, gtin="06901234567892")


def _event(**kw: object) -> LaneEvent:
    fields: dict[str, object] = {"t": 1.0, "lane": "a1", "type": "pick", "qty": 1, "count": 4}
    fields.update(kw)
    return LaneEvent(**fields)  # type: ignore[arg-type]


def test_confident_pick_keeps_its_type_sku_and_rounded_figures() -> None:
    data = shelf_event(_event(delta_g=-78.04, confidence=0.987654), SPEC, 0.9)
    assert data is not None
    assert (data.lane, data.type, data.qty, data.count, data.sku) == ("a1", "pick", 1, 4, "chips")
    assert data.delta_grams == Decimal("-78.0")
    assert data.confidence == 0.9877


def test_pick_below_the_confidence_goes_out_as_uncertain() -> None:
    data = shelf_event(_event(type="put", confidence=0.6), SPEC, 0.9)
    assert data is not None
    assert data.type == "uncertain"
    assert data.confidence == 0.6


def test_confidence_is_clamped_into_the_payload_range() -> None:
    data = shelf_event(_event(type="foreign", qty=0, confidence=1.2), SPEC, 0.9)
    assert data is not None
    assert (data.type, data.confidence) == ("foreign", 1.0)


@pytest.mark.parametrize("kind", ["low_stock", "out_of_stock", "restocked"])
def test_alert_transitions_are_no_shelf_event(kind: str) -> None:
    assert shelf_event(_event(type=kind, qty=0), SPEC, 0.9) is None


def test_stock_of_a_fresh_lane_without_gtin_uses_the_stand_in_and_no_negative_grams() -> None:
    pipe = LanePipeline(LaneSpec(lane="b2", sku="gum", unit_weight_g=31.0))
    pipe.zero = 4.0  # an auto-zero above the smoothed weight: net grams are negative
    data = stock(pipe)
    assert (data.lane, data.sku, data.gtin, data.count, data.state) == (
        "b2",
        "gum",
        NO_GTIN,
        0,
        "ok",
    )
    assert data.grams == Decimal("0.0")


def test_stock_carries_the_lane_gtin_and_count() -> None:
    pipe = LanePipeline(SPEC)
    pipe.count = 7
    data = stock(pipe)
    assert (data.gtin, data.count) == ("06901234567892", 7)


def test_stock_carries_the_unit_weight_learned_from_single_picks() -> None:
    """Units 4 % heavier than the catalogue says: after ten single picks the lane's stock
    event carries a learned weight moved towards them; before five, none."""
    rng = np.random.default_rng(3)
    pipe = LanePipeline(LaneSpec(lane="c1", sku="jam", unit_weight_g=100.0, capacity=30))
    level, t = 20 * 104.0, 0.0
    seen = []
    for _ in range(11):
        for _ in range(200):  # 5 s settled, then a unit leaves
            t += 0.025
            pipe.feed(t, level + rng.normal(0.0, 0.5))
        seen.append(stock(pipe))
        level -= 104.0
    assert seen[2].unit_weight_g is None
    assert seen[2].units_learned == 2
    last = seen[10]
    assert last.units_learned == 10
    assert last.unit_weight_g is not None
    assert Decimal("101") < last.unit_weight_g < Decimal("104")
    assert last.unit_spread_g is not None
    assert last.unit_spread_g > 0


def test_raised_fault_is_an_error_and_its_clearing_information() -> None:
    raised = fault("loadcell_failed", "loadcell", True, "port gone")
    cleared = fault("loadcell_failed", "loadcell", False, "readings again")
    assert (raised.severity, raised.active, raised.message) == ("error", True, "port gone")
    assert (cleared.severity, cleared.active) == ("info", False)


def test_lane_fault_names_the_lane_as_component() -> None:
    data = lane_fault(FaultChange("a3", "sensor_stuck", True, "160 identical readings"))
    assert (data.code, data.component, data.severity) == ("sensor_stuck", "lane:a3", "error")
