"""The fake pin backend behaves like pins, and its fake HX711 clocks bits like the real chip."""

from __future__ import annotations

import pytest

from edge.hardware.gpio import FakeGpio, FakeGpioConfig, GpioError, RpiGpioConfig, open_gpio


def test_pins_need_setup_and_outputs_notify_listeners() -> None:
    gpio = FakeGpio()
    with pytest.raises(GpioError):
        gpio.read(5)
    gpio.setup_output(6)
    seen: list[tuple[int, bool]] = []
    gpio.listen(6, lambda pin, level: seen.append((pin, level)))
    gpio.write(6, True)
    gpio.write(6, True)  # no edge
    gpio.write(6, False)
    assert seen == [(6, True), (6, False)]
    gpio.setup_input(5, pull_up=True)
    assert gpio.read(5) is True
    with pytest.raises(GpioError):
        gpio.write(5, False)


def test_virtual_clock_advances_per_access_and_delay() -> None:
    gpio = FakeGpio(tick_ns=1_000)
    gpio.setup_output(1)
    start = gpio.monotonic_ns()
    gpio.write(1, True)
    gpio.delay_us(50)
    assert gpio.monotonic_ns() - start == 51_000


def _clock_word(gpio: FakeGpio, dout: int, sck: int, pulses: int = 25) -> list[bool]:
    bits = []
    for i in range(pulses):
        gpio.write(sck, True)
        if i < 24:
            bits.append(gpio.read(dout))
        gpio.write(sck, False)
    return bits


def test_fake_hx711_shifts_out_24_bit_twos_complement_msb_first() -> None:
    gpio = FakeGpio()
    gpio.setup_output(6)
    values = iter([-2, 0x123456])
    chip = gpio.attach_hx711(5, 6, lambda: next(values))
    assert gpio.read(5) is False  # ready
    bits = _clock_word(gpio, 5, 6)
    assert bits == [True] * 23 + [False]  # -2 = 0xFFFFFE
    assert gpio.read(5) is False  # next conversion ready (conversion time 0)
    word = int("".join("1" if b else "0" for b in _clock_word(gpio, 5, 6)), 2)
    assert word == 0x123456
    assert chip.completed_reads == 2


def test_fake_hx711_powers_down_when_clock_held_high_over_60_us() -> None:
    gpio = FakeGpio()
    gpio.setup_output(6)
    chip = gpio.attach_hx711(5, 6, lambda: 0)
    chip.stall_bit, chip.stall_ns = 3, 80_000
    bits = _clock_word(gpio, 5, 6)
    assert bits[:3] == [False, False, False]
    assert bits[4:] == [True] * 20  # garbage after power-down
    assert chip.corrupted_reads == 1


def test_disconnected_chip_never_gets_ready() -> None:
    gpio = FakeGpio()
    gpio.setup_output(6)
    gpio.attach_hx711(5, 6, lambda: None)
    assert gpio.read(5) is True


def test_open_gpio_by_type() -> None:
    assert isinstance(open_gpio(FakeGpioConfig()), FakeGpio)
    with pytest.raises(GpioError):  # RPi.GPIO is not installed on this machine
        open_gpio(RpiGpioConfig())
