"""The node service with the fake load cell: faults, LEDs, commands, outbox events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contracts.messages import Command, Payload
from contracts.pricebook import PriceBook, Product
from edge.hardware.gpio import FakeGpio
from shelf_sensors.calibration import Calibration
from shelf_sensors.calibration_store import CalibrationStore
from shelf_sensors.exceptions import CalibrationError
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.leds import LaneLeds
from shelf_sensors.loadcell.fake import FakeLoadCell
from shelf_sensors.service import ShelfService
from shelf_sensors.simulation import Action, NoiseModel, SimLane


class Sink:
    """Records what would go to the outbox, validated like the outbox does."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, event_type: str, data: Payload | dict[str, Any]) -> None:
        assert isinstance(data, Payload)
        self.events.append((event_type, data.model_dump(mode="json")))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self.events if k == kind]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


SIM = [
    SimLane("a1", "chips", mu=78.0, count=1, low_stock_at=0, capacity=10),
    SimLane("a2", "cola", mu=355.0, count=5, low_stock_at=1, capacity=12),
]


def _node(actions: list[Action], tmp_path: Path | None = None, **kw: Any):
    cell = FakeLoadCell(
        SIM, seed=4, speed=0, chunk_s=30.0, scripted=actions, noise=NoiseModel(spike_rate=1e-3)
    )
    clock = Clock()
    gpio = FakeGpio()
    leds = LaneLeds(gpio, {"a1": 17, "a2": 27})
    specs = [
        LaneSpec(
            lane=s.lane,
            sku=s.sku,
            unit_weight_g=s.mu,
            capacity=s.capacity,
            low_stock_at=s.low_stock_at,
            gtin="06901234567892",
        )
        for s in SIM
    ]
    cals = {lane: Calibration(cell.offsets[lane], cell.scale[lane]) for lane in cell.lanes}
    store = CalibrationStore(tmp_path / "node.sqlite3") if tmp_path else None
    sink = Sink()
    svc = ShelfService(
        specs, cell, sink, calibrations=cals, leds=leds, clock=clock, store=store, **kw
    )
    cell.open()
    return svc, cell, sink, clock, gpio


def _run(svc: ShelfService, cell: FakeLoadCell, clock: Clock, seconds: float) -> None:
    end = clock.now + seconds
    while clock.now < end:
        readings = cell.read(0)
        svc.process(readings)
        clock.now = readings[-1].t
        svc.tick()


def test_pick_to_empty_lights_the_led_and_publishes_stock(tmp_path: Path) -> None:
    svc, cell, sink, clock, gpio = _node([Action(5, "a1", "pick", 1, -78.0, 1.5, 80.0)])
    _run(svc, cell, clock, 22)
    shelf = sink.of("shelf_event")
    assert [(d["lane"], d["type"], d["qty"], d["count"], d["sku"]) for d in shelf] == [
        ("a1", "pick", 1, 0, "chips")
    ]
    states = [d["state"] for d in sink.of("stock") if d["lane"] == "a1"]
    assert states[-1] == "out"
    assert gpio.level(17) is True
    assert gpio.level(27) is False
    assert sink.of("fault") == []


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("stuck", "sensor_stuck"),
        ("disconnected", "sensor_disconnected"),
        ("saturated", "sensor_saturated"),
    ],
)
def test_sensor_faults_are_raised_then_cleared(mode: str, code: str) -> None:
    svc, cell, sink, clock, _ = _node([])
    _run(svc, cell, clock, 3)
    cell.set_fault("a2", mode)
    _run(svc, cell, clock, 5)
    cell.set_fault("a2", None)
    _run(svc, cell, clock, 2)
    faults = [(d["code"], d["component"], d["active"]) for d in sink.of("fault")]
    assert faults == [(code, "lane:a2", True), (code, "lane:a2", False)]
    assert sink.of("shelf_event") == []  # a faulty sensor invents no picks
    assert all(d["state"] != "out" for d in sink.of("stock"))


def _cmd(name: str, **args: Any) -> Command:
    return Command(command_id="c1", name=name, args=args, issued_at=datetime.now(UTC))


def test_tare_needs_an_empty_confirmed_lane_and_is_stored(tmp_path: Path) -> None:
    svc, cell, _, clock, _ = _node([Action(3, "a1", "pick", 1, -78.0, 1.0, 50.0)], tmp_path)
    with pytest.raises(CalibrationError):  # a2 still holds 5 units
        svc.command_tare(_cmd("tare", lane="a2", confirm_empty=True))
    _run(svc, cell, clock, 10)
    with pytest.raises(CalibrationError):  # not confirmed by staff
        svc.command_tare(_cmd("tare", lane="a1"))
    res = svc.command_tare(_cmd("tare", lane="a1", confirm_empty=True))
    assert res["offset"] == pytest.approx(cell.offsets["a1"], abs=2 / cell.scale["a1"])
    assert svc.store is not None
    assert svc.store.load()["a1"].offset == res["offset"]


def test_calibrate_with_known_weight_sets_the_scale(tmp_path: Path) -> None:
    svc, cell, _, clock, _ = _node([], tmp_path)
    true_scale = cell.scale["a2"]
    svc.calibrations["a2"] = Calibration(cell.offsets["a2"], true_scale * 1.2)  # off by 20 %
    _run(svc, cell, clock, 3)  # lane a2 holds 5 × 355 g ≈ 1775 g
    res = svc.command_calibrate(_cmd("calibrate", lane="a2", known_grams=1775.0))
    assert res["scale"] == pytest.approx(true_scale, rel=0.02)
    with pytest.raises(CalibrationError):
        svc.command_calibrate(_cmd("calibrate", lane="zz", known_grams=5))


def test_planogram_command_and_pricebook_fill_unit_weights() -> None:
    svc, *_ = _node([])
    res = svc.command_planogram(
        _cmd(
            "planogram",
            lanes=[
                {"lane": "a1", "sku": "chips", "unit_weight_g": 80},
                {"lane": "a2", "sku": "tea"},
            ],
        )
    )
    assert res == {"lanes": ["a1"]}  # tea waits for a weight
    book = PriceBook(
        store="demo",
        version=2,
        published_at=datetime.now(UTC),
        products=[
            Product(
                sku="tea", name="Tea", price="5.00", unit_weight_g="500", gtins=["06901234567892"]
            )
        ],
    )
    svc.on_pricebook(book)
    assert svc.specs["a2"].unit_weight_g == 500.0
    assert svc.specs["a2"].gtin == "06901234567892"
    with pytest.raises(Exception, match="lanes"):
        svc.command_planogram(_cmd("planogram", lanes="nope"))
