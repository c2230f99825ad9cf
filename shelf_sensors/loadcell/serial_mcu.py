"""A microcontroller clocking the HX711s and streaming ``lane,t,raw`` lines over USB serial.

The Pi's GPIO bit-banging is too slow or jittery for HX711s (FIELD-NOTES), so this is the
recommended source. pyserial is imported when the port opens; any pyserial URL works
(``/dev/ttyACM0``, ``loop://``, ``rfc2217://host:port``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from shelf_sensors.exceptions import LoadCellError, ProtocolError
from shelf_sensors.loadcell.base import Reading
from shelf_sensors.loadcell.protocol import MAX_LINE, ClockUnwrapper, Info, parse_line

log = logging.getLogger(__name__)


class SerialLoadCell:
    """Reads and parses lines; malformed lines and unknown lanes are counted and dropped."""

    def __init__(
        self,
        port: str,
        lanes: Iterable[str],
        *,
        baudrate: int = 115_200,
        opener: Callable[..., Any] | None = None,
    ) -> None:
        self.port = port
        self.lanes = list(lanes)
        self.baudrate = baudrate
        self._known = set(self.lanes)
        self._opener = opener
        self._serial: Any = None
        self._buffer = b""
        self._clock = ClockUnwrapper()
        self.bad_lines = 0
        self.unknown_lanes = 0
        self.last_error: str | None = None
        self.info: list[str] = []

    def open(self) -> None:
        try:
            opener = self._opener
            if opener is None:
                import serial

                opener = serial.serial_for_url
            self._serial = opener(self.port, baudrate=self.baudrate, timeout=0.05)
        except Exception as exc:  # pyserial raises SerialException/OSError/ValueError
            raise LoadCellError(f"cannot open serial port {self.port}: {exc}") from exc

    def read(self, timeout: float) -> list[Reading]:
        if self._serial is None:
            raise LoadCellError("serial load cell is not open")
        deadline = time.monotonic() + timeout
        out: list[Reading] = []
        while True:
            try:
                chunk = self._serial.read(max(1, self._serial.in_waiting))
            except Exception as exc:
                raise LoadCellError(f"serial port {self.port} failed: {exc}") from exc
            if chunk:
                out.extend(self.feed(chunk))
            if out or time.monotonic() >= deadline:
                return out

    def feed(self, data: bytes) -> list[Reading]:
        """Parse every complete line in ``data`` (plus what was buffered); keep the rest."""
        self._buffer += data
        *lines, rest = self._buffer.split(b"\n")
        if len(rest) > MAX_LINE:  # garbage with no newline: resynchronise on the next one
            self.bad_lines += 1
            rest = b""
        self._buffer = rest
        out: list[Reading] = []
        for line in lines:
            reading = self._parse(line)
            if reading is not None:
                out.append(reading)
        return out

    def _parse(self, line: bytes) -> Reading | None:
        try:
            parsed = parse_line(line)
        except ProtocolError as exc:
            self.bad_lines += 1
            self.last_error = str(exc)
            log.debug("dropped serial line %r: %s", line[:MAX_LINE], exc)
            return None
        if parsed is None:
            return None
        if isinstance(parsed, Info):
            self.info = [*self.info, parsed.text][-20:]
            log.info("load cell MCU: %s", parsed.text)
            return None
        if parsed.lane not in self._known:
            self.unknown_lanes += 1
            return None
        return Reading(parsed.lane, self._clock.seconds(parsed.t_ms), parsed.raw, parsed.status)

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            finally:
                self._serial = None
