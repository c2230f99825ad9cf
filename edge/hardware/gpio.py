"""GPIO behind a small Protocol, like gpiozero's pin factories: a real RPi.GPIO backend and a
fake backend whose pins behave like pins (levels, edges, attached devices, a virtual clock).

``rpi-lgpio`` installs the same ``RPi.GPIO`` module on a Pi 5, so one real backend covers
both. The fake ships a :class:`FakeHX711` that clocks out 24-bit two's complement readings
bit by bit on DOUT as PD_SCK pulses, and powers down (corrupting the read) when PD_SCK is held
high for more than 60 µs, as the datasheet says.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

HX711_POWER_DOWN_NS = 60_000
"""PD_SCK high longer than this powers the HX711 down and corrupts the conversion."""


class GpioError(Exception):
    """The GPIO library is missing or refused an operation."""


class Gpio(Protocol):
    """Digital pins by BCM number, plus the clock and delay the bit-banging drivers time with."""

    def setup_input(self, pin: int, pull_up: bool = False) -> None: ...

    def setup_output(self, pin: int, initial: bool = False) -> None: ...

    def read(self, pin: int) -> bool: ...

    def write(self, pin: int, value: bool) -> None: ...

    def monotonic_ns(self) -> int: ...

    def delay_us(self, us: float) -> None: ...

    def close(self) -> None: ...


# Config ------------------------------------------------------------------------------------


class RpiGpioConfig(BaseModel):
    """RPi.GPIO (Pi ≤ 4) or rpi-lgpio (Pi 5, same module name)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["rpi"] = Field(default="rpi", description="Real pins through RPi.GPIO")


class FakeGpioConfig(BaseModel):
    """In-memory pins for laptops, tests and simulators."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["fake"] = Field(default="fake", description="Simulated pins")
    tick_ns: int = Field(default=1_000, ge=0, description="Virtual time each pin access takes")


GpioConfig = Annotated[RpiGpioConfig | FakeGpioConfig, Field(discriminator="type")]


def open_gpio(config: RpiGpioConfig | FakeGpioConfig) -> Gpio:
    """Build the backend the config's ``type`` names."""
    if isinstance(config, RpiGpioConfig):
        return RpiGpio()
    return FakeGpio(tick_ns=config.tick_ns)


# Real backend ------------------------------------------------------------------------------


class RpiGpio:
    """RPi.GPIO in BCM numbering; imported lazily so the package imports on any machine."""

    def __init__(self) -> None:
        try:
            rpi_gpio = importlib.import_module("RPi.GPIO")
        except (ImportError, RuntimeError) as exc:
            msg = f"RPi.GPIO is not available (install rpi-lgpio on a Pi 5): {exc}"
            raise GpioError(msg) from exc
        self._gpio: Any = rpi_gpio
        self._gpio.setwarnings(False)
        self._gpio.setmode(self._gpio.BCM)
        self._pins: set[int] = set()

    def setup_input(self, pin: int, pull_up: bool = False) -> None:
        pud = self._gpio.PUD_UP if pull_up else self._gpio.PUD_OFF
        self._gpio.setup(pin, self._gpio.IN, pull_up_down=pud)
        self._pins.add(pin)

    def setup_output(self, pin: int, initial: bool = False) -> None:
        level = self._gpio.HIGH if initial else self._gpio.LOW
        self._gpio.setup(pin, self._gpio.OUT, initial=level)
        self._pins.add(pin)

    def read(self, pin: int) -> bool:
        return bool(self._gpio.input(pin))

    def write(self, pin: int, value: bool) -> None:
        self._gpio.output(pin, self._gpio.HIGH if value else self._gpio.LOW)

    def monotonic_ns(self) -> int:
        return time.perf_counter_ns()

    def delay_us(self, us: float) -> None:
        time.sleep(us / 1e6)

    def close(self) -> None:
        if self._pins:
            self._gpio.cleanup(list(self._pins))
            self._pins.clear()


# Fake backend ------------------------------------------------------------------------------

EdgeListener = Callable[[int, bool], None]


class FakeGpio:
    """Pins in memory with a virtual clock: every access costs ``tick_ns`` of virtual time.

    Devices attach to pins: an output pin notifies its listeners on every level change, an
    input pin may be driven by a device (``drive``). Reading or writing an unconfigured pin
    raises, as RPi.GPIO does.
    """

    def __init__(self, tick_ns: int = 1_000) -> None:
        self.tick_ns = tick_ns
        self._now = 0
        self._lock = threading.RLock()
        self._mode: dict[int, str] = {}
        self._level: dict[int, bool] = {}
        self._listeners: dict[int, list[EdgeListener]] = {}
        self.writes: dict[int, int] = {}
        self.closed = False
        self._chips: dict[int, FakeHX711] = {}

    # Gpio protocol
    def setup_input(self, pin: int, pull_up: bool = False) -> None:
        with self._lock:
            self._mode[pin] = "in"
            self._level.setdefault(pin, pull_up)

    def setup_output(self, pin: int, initial: bool = False) -> None:
        with self._lock:
            self._mode[pin] = "out"
            self._level[pin] = initial

    def read(self, pin: int) -> bool:
        with self._lock:
            self._require(pin)
            chip = self._chips.get(pin)
            if chip is not None:
                chip.poll()
            self._now += self.tick_ns
            return self._level.get(pin, False)

    def write(self, pin: int, value: bool) -> None:
        with self._lock:
            if self._mode.get(pin) != "out":
                raise GpioError(f"pin {pin} is not an output")
            self._now += self.tick_ns
            old = self._level.get(pin, False)
            self._level[pin] = value
            self.writes[pin] = self.writes.get(pin, 0) + 1
            if old != value:
                for listener in self._listeners.get(pin, []):
                    listener(pin, value)

    def monotonic_ns(self) -> int:
        with self._lock:
            return self._now

    def delay_us(self, us: float) -> None:
        self.advance(int(us * 1000))

    def close(self) -> None:
        self.closed = True

    # Test and device surface
    def advance(self, ns: int) -> None:
        with self._lock:
            self._now += max(0, ns)

    def drive(self, pin: int, level: bool) -> None:
        """A device sets the level of an input pin."""
        with self._lock:
            self._level[pin] = level

    def level(self, pin: int) -> bool:
        with self._lock:
            return self._level.get(pin, False)

    def attach_hx711(
        self, dout: int, sck: int, source: Callable[[], int | None], conversion_ns: int = 0
    ) -> FakeHX711:
        """Wire a fake HX711 to ``dout``/``sck``; its readings come from ``source``."""
        with self._lock:
            chip = FakeHX711(self, dout, sck, source, conversion_ns)
            self._chips[dout] = chip
            return chip

    def listen(self, pin: int, listener: EdgeListener) -> None:
        with self._lock:
            self._listeners.setdefault(pin, []).append(listener)

    def _require(self, pin: int) -> None:
        if pin not in self._mode:
            raise GpioError(f"pin {pin} is not set up")


class FakeHX711:
    """An HX711 attached to fake pins: DOUT low when a conversion is ready, then one bit per
    PD_SCK pulse, MSB first, 24 bits two's complement, then 1–3 pulses selecting the next gain.

    ``source`` gives each conversion's raw value (``None`` = no conversion: DOUT stays high, as
    with a disconnected chip). ``stall_bit``/``stall_ns`` make the host "get preempted" with
    PD_SCK high at that bit of the next read; beyond 60 µs the chip powers down and the rest
    of the word reads as ones, as real chips do.
    """

    def __init__(
        self,
        gpio: FakeGpio,
        dout: int,
        sck: int,
        source: Callable[[], int | None],
        conversion_ns: int = 12_500_000,
    ) -> None:
        self.gpio = gpio
        self.dout = dout
        self.sck = sck
        self.source = source
        self.conversion_ns = conversion_ns
        self.stall_bit: int | None = None
        self.stall_ns = 0
        self.corrupted_reads = 0
        self.completed_reads = 0
        self.gain_pulses = 1
        self._word: int | None = None
        self._bit = 0
        self._rise_ns = 0
        self._powered_down = False
        self._next_ready = 0
        gpio.setup_input(dout)
        gpio.drive(dout, True)
        gpio.listen(sck, self._on_sck)

    def poll(self) -> None:
        """Start a conversion if one is due; the fake GPIO calls this on every DOUT read."""
        if self._word is None and self.gpio.monotonic_ns() >= self._next_ready:
            value = self.source()
            if value is None:
                self.gpio.drive(self.dout, True)
                return
            self._word = value & 0xFFFFFF
            self._bit = 0
            self._powered_down = False
            self.gpio.drive(self.dout, False)

    def _on_sck(self, pin: int, high: bool) -> None:
        now = self.gpio.monotonic_ns()
        if high:
            self._rise_ns = now
            if self._word is None:
                return
            if self.stall_bit is not None and self._bit == self.stall_bit:
                self.gpio.advance(self.stall_ns)
                self.stall_bit = None
            if self._bit < 24:
                level = True if self._powered_down else bool((self._word >> (23 - self._bit)) & 1)
                self.gpio.drive(self.dout, level)
            return
        if now - self._rise_ns > HX711_POWER_DOWN_NS and self._word is not None:
            self._powered_down = True
        if self._word is None:
            return
        self._bit += 1
        if self._bit >= 24 + self.gain_pulses:
            if self._powered_down:
                self.corrupted_reads += 1
            else:
                self.completed_reads += 1
            self._word = None
            self.gpio.drive(self.dout, True)
            self._next_ready = now + self.conversion_ns
