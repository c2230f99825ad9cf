"""Build the configured load cell source and LEDs (the thin shell around the pure core)."""

from __future__ import annotations

from shelf_sensors.calibration import Calibration
from shelf_sensors.config import FakeSource, Hx711Source, LedSettings, SerialSource
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.leds import LaneLeds
from shelf_sensors.loadcell.base import LoadCell
from shelf_sensors.simulation import NoiseModel, SimLane


def build_loadcell(
    source: Hx711Source | SerialSource | FakeSource, lanes: dict[str, LaneSpec]
) -> tuple[LoadCell, dict[str, Calibration]]:
    """The source, and the calibrations it implies (only the fake knows its own)."""
    if isinstance(source, SerialSource):
        from shelf_sensors.loadcell.serial_mcu import SerialLoadCell

        return SerialLoadCell(source.port, list(lanes), baudrate=source.baudrate), {}
    if isinstance(source, Hx711Source):
        from edge.hardware.gpio import open_gpio
        from shelf_sensors.loadcell.hx711 import HX711LoadCell

        pins = {lane: (p.dout, p.sck) for lane, p in source.pins.items() if lane in lanes}
        return HX711LoadCell(open_gpio(source.gpio), pins, gain=source.gain), {}
    from shelf_sensors.loadcell.fake import FakeLoadCell

    sim = [
        SimLane(
            lane=spec.lane,
            sku=spec.sku,
            mu=spec.mu,
            capacity=spec.capacity,
            low_stock_at=spec.low_stock_at,
            count=source.start_count if source.start_count is not None else spec.capacity // 2,
            full_scale_g=source.full_scale_g,
            noise_g=source.noise_g,
        )
        for spec in lanes.values()
    ]
    fake = FakeLoadCell(
        sim, seed=source.seed, speed=source.speed, mean_gap_s=source.mean_gap_s, noise=NoiseModel()
    )
    cals = {lane: Calibration(fake.offsets[lane], fake.scale[lane]) for lane in fake.lanes}
    return fake, cals


def build_leds(settings: LedSettings | None) -> LaneLeds | None:
    if settings is None or not settings.pins:
        return None
    from edge.hardware.gpio import open_gpio

    return LaneLeds(open_gpio(settings.gpio), settings.pins, settings.active_high)
