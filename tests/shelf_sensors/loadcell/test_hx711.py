"""The HX711 GPIO driver against the fake pin backend's bit-clocking HX711."""

from __future__ import annotations

from edge.hardware.gpio import FakeGpio
from shelf_sensors.loadcell.base import RAW_MAX
from shelf_sensors.loadcell.hx711 import HX711, HX711LoadCell


def test_reads_signed_values_and_selects_gain() -> None:
    gpio = FakeGpio()
    values = iter([-80412, 0, 123456, -(2**23)])
    gpio.setup_output(6)
    chip = gpio.attach_hx711(5, 6, lambda: next(values))
    drv = HX711(gpio, dout=5, sck=6, gain=128)
    assert [drv.read_raw() for _ in range(4)] == [-80412, 0, 123456, -(2**23)]
    assert chip.completed_reads == 4


def test_read_with_clock_held_high_over_60_us_is_discarded() -> None:
    gpio = FakeGpio()
    gpio.setup_output(6)
    chip = gpio.attach_hx711(5, 6, lambda: 4242)
    drv = HX711(gpio, dout=5, sck=6)
    chip.stall_bit, chip.stall_ns = 10, 75_000
    assert drv.read_raw() is None
    assert drv.discarded == 1
    assert chip.corrupted_reads == 1
    assert drv.read_raw() == 4242  # the next conversion is fine again
    chip.stall_bit, chip.stall_ns = 10, 40_000  # preempted, but under 60 µs: still valid
    assert drv.read_raw() == 4242


def test_load_cell_reports_failed_and_saturated_lanes() -> None:
    gpio = FakeGpio()
    gpio.setup_output(6)
    gpio.attach_hx711(5, 6, lambda: 1000)
    gpio.attach_hx711(13, 6, lambda: None)  # disconnected
    gpio.attach_hx711(19, 6, lambda: RAW_MAX)  # overloaded
    cell = HX711LoadCell(gpio, {"a1": (5, 6), "a2": (13, 6), "a3": (19, 6)})
    cell.open()
    got = cell.read(0.05)
    assert [(r.lane, r.raw, r.status) for r in got] == [
        ("a1", 1000, "ok"),
        ("a2", None, "failed"),
        ("a3", RAW_MAX, "saturated"),
    ]
