"""The live load cell through the real shelf service: picks counted, faults detected."""

from __future__ import annotations

import time
from typing import Any

from shelf_sensors.lanes import LaneSpec
from shelf_sensors.service import ShelfService
from simulators.devices.loadcell import LaneModel, LiveLoadCell


class Sink:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def emit(self, event_type: str, data: Any) -> None:
        self.events.append((event_type, data))


def wait_for(pred: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := pred():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def shelf() -> tuple[LiveLoadCell, ShelfService, Sink]:
    cell = LiveLoadCell([LaneModel("l1", "A", 350.0, 6, 8), LaneModel("l2", "B", 120.0, 5, 8)])
    specs = [
        LaneSpec(lane="l1", sku="A", unit_weight_g=350.0, capacity=8, low_stock_at=3),
        LaneSpec(lane="l2", sku="B", unit_weight_g=120.0, capacity=8, low_stock_at=3),
    ]
    sink = Sink()
    return cell, ShelfService(specs, cell, sink, calibrations=cell.calibrations()), sink


def test_picks_and_a_restock_are_counted_by_the_real_pipeline() -> None:
    cell, service, sink = shelf()
    service.start()
    try:
        wait_for(lambda: service.lane_states()["lanes"]["l1"]["count"] == 6, 10)
        assert cell.take("l1", 2) == 2
        picks = wait_for(lambda: [d for t, d in sink.events if t == "shelf_event"], 10)
        assert picks[0].type == "pick"
        assert picks[0].qty == 2
        assert picks[0].count == 4
        cell.take("l1", 1)
        wait_for(lambda: service.lane_states()["lanes"]["l1"]["state"] == "low", 10)
        assert cell.put("l1", 99) == 5  # no more than the capacity
        wait_for(lambda: service.lane_states()["lanes"]["l1"]["count"] == 8, 10)
        assert service.lane_states()["lanes"]["l2"]["count"] == 5
    finally:
        service.stop()


def test_stuck_cell_raises_and_clears_a_fault_spikes_make_no_events() -> None:
    cell, service, sink = shelf()
    service.start()
    try:
        wait_for(lambda: service.lane_states()["lanes"]["l2"]["count"] == 5, 10)
        cell.spike("l2", 5)
        cell.stick("l1", 3.0)
        faults = wait_for(
            lambda: [d for t, d in sink.events if t == "fault" and d.code == "sensor_stuck"], 10
        )
        assert faults[0].active
        assert faults[0].component == "lane:l1"
        wait_for(lambda: any(t == "fault" and not d.active for t, d in sink.events), 10)
        assert not [d for t, d in sink.events if t == "shelf_event" and d.lane == "l2"]
    finally:
        service.stop()
