"""HX711 load cell amplifiers bit-banged through GPIO (Pi ≤ 4; see FIELD-NOTES for the Pi 5).

A read waits for DOUT low, then pulses PD_SCK 24 times reading one bit per pulse (MSB first,
two's complement), then 1–3 more pulses to select the next gain/channel. If PD_SCK stays
high longer than 60 µs the chip powers down and the word is garbage: every pulse is timed and
such a read is discarded, as are saturated words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from edge.hardware.gpio import HX711_POWER_DOWN_NS, Gpio
from shelf_sensors.loadcell.base import Reading, classify_raw

log = logging.getLogger(__name__)

GAIN_PULSES = {128: 1, 32: 2, 64: 3}


class HX711:
    """One chip on a DOUT/PD_SCK pin pair."""

    def __init__(self, gpio: Gpio, dout: int, sck: int, gain: int = 128) -> None:
        self.gpio = gpio
        self.dout = dout
        self.sck = sck
        self.pulses = GAIN_PULSES[gain]
        self.discarded = 0
        gpio.setup_output(sck, False)
        gpio.setup_input(dout)

    def ready(self) -> bool:
        return not self.gpio.read(self.dout)

    def read_raw(self, wait_us: float = 120_000, poll_us: float = 500) -> int | None:
        """One conversion, or ``None`` if the chip never got ready or the timing broke."""
        gpio = self.gpio
        waited = 0.0
        while gpio.read(self.dout):
            if waited >= wait_us:
                return None
            gpio.delay_us(poll_us)
            waited += poll_us
        value = 0
        late = False
        sck, dout, now = self.sck, self.dout, gpio.monotonic_ns
        for i in range(24 + self.pulses):
            start = now()
            gpio.write(sck, True)
            bit = gpio.read(dout) if i < 24 else False
            gpio.write(sck, False)
            if now() - start > HX711_POWER_DOWN_NS:
                late = True
            if i < 24:
                value = (value << 1) | int(bit)
        if late:
            self.discarded += 1
            log.debug("HX711 on DOUT %d: PD_SCK held high > 60 µs, read discarded", dout)
            return None
        return value - (1 << 24) if value & 0x800000 else value


class HX711LoadCell:
    """Several HX711s, one per lane, read in turn by the node's reader thread."""

    def __init__(
        self,
        gpio: Gpio,
        pins: dict[str, tuple[int, int]],
        *,
        gain: int = 128,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.gpio = gpio
        self.lanes = list(pins)
        self._pins = pins
        self._gain = gain
        self._chips: dict[str, HX711] = {}
        self._clock = clock or (lambda: gpio.monotonic_ns() / 1e9)

    def open(self) -> None:
        self._chips = {
            lane: HX711(self.gpio, dout, sck, self._gain)
            for lane, (dout, sck) in self._pins.items()
        }

    def read(self, timeout: float) -> list[Reading]:
        """One pass over the lanes; a lane whose chip is not ready reports a failed read."""
        out: list[Reading] = []
        per_lane_us = max(1_000.0, timeout * 1e6 / max(1, len(self._chips)))
        for lane, chip in self._chips.items():
            raw = chip.read_raw(wait_us=per_lane_us)
            t = self._clock()
            if raw is None:
                out.append(Reading(lane, t, None, "failed"))
            else:
                out.append(Reading(lane, t, raw, classify_raw(raw)))
        return out

    def close(self) -> None:
        self.gpio.close()
