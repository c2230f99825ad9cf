"""One LED per lane, lit while the lane is out of stock."""

from __future__ import annotations

import logging

from edge.hardware.gpio import Gpio

log = logging.getLogger(__name__)


class LaneLeds:
    def __init__(self, gpio: Gpio, pins: dict[str, int], active_high: bool = True) -> None:
        self.gpio = gpio
        self.pins = dict(pins)
        self.active_high = active_high
        self.lit: set[str] = set()
        for pin in self.pins.values():
            gpio.setup_output(pin, not active_high)

    def set(self, lane: str, on: bool) -> None:
        pin = self.pins.get(lane)
        if pin is None:
            return
        self.gpio.write(pin, on == self.active_high)
        if on:
            self.lit.add(lane)
        else:
            self.lit.discard(lane)

    def close(self) -> None:
        for lane in list(self.lit):
            self.set(lane, False)
        self.gpio.close()
