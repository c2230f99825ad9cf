"""A bench scale on a serial line (RS-232 or USB-COM), read with pyserial.

pyserial is imported lazily so the package imports where it is not installed.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from kiosk.exceptions import ScaleError
from kiosk.scale.parse import parse_scale_line

log = logging.getLogger(__name__)


class SerialScale:
    def __init__(self, port: str, baudrate: int = 9600) -> None:
        self.port = port
        self.baudrate = baudrate
        self._serial: Any = None

    def _open(self, timeout: float) -> Any:
        if self._serial is None:
            import serial

            try:
                self._serial = serial.serial_for_url(
                    self.port, baudrate=self.baudrate, timeout=timeout
                )
            except (serial.SerialException, ValueError) as exc:
                raise ScaleError(f"cannot open scale {self.port}: {exc}") from exc
        return self._serial

    def read(self, timeout: float) -> Decimal | None:
        import serial

        port = self._open(timeout)
        port.timeout = timeout
        try:
            raw = port.readline()
        except serial.SerialException as exc:
            self.close()
            raise ScaleError(f"scale {self.port} failed: {exc}") from exc
        if not raw:
            return None
        value = parse_scale_line(raw)
        if value is None:
            log.debug("scale: ignored line %r", raw[:40])
        return value

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            finally:
                self._serial = None
