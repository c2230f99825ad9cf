"""The serial scanner's port behind a small Protocol: pyserial for real, a scripted fake.

pyserial's ``serial_for_url`` already covers devices, ``loop://`` and ``socket://``; the
fake adds what tests need beyond that: data in chunks split anywhere, and an unplug.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from typing import Any, Protocol

from kiosk.scanner.exceptions import ScannerError

READ_TIMEOUT_S = 0.2
"""Reads return after this long with what arrived, so the loop sees the stop event."""


class SerialPort(Protocol):
    """Bytes from a scanner. ``read`` returns b"" on timeout; raises OSError when unplugged."""

    def read(self, size: int = 1) -> bytes: ...

    def close(self) -> None: ...


class PySerialPort:
    """pyserial port; its SerialException (an OSError) means the device went away."""

    def __init__(self, port: Any) -> None:
        self._port = port

    def read(self, size: int = 1) -> bytes:
        waiting = self._port.in_waiting
        data: bytes = self._port.read(max(size, waiting))
        return data

    def close(self) -> None:
        self._port.close()


def open_pyserial(url: str, baudrate: int) -> PySerialPort:
    """Open ``url`` (``/dev/ttyACM0``, ``loop://``…); ScannerError if it cannot be opened."""
    import serial

    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=READ_TIMEOUT_S)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ScannerError(f"cannot open serial scanner {url!r}: {exc}") from exc
    return PySerialPort(port)


class FakeSerialPort:
    """Scripted chunks of bytes; ``unplug()`` makes the next read raise like a pulled cable."""

    def __init__(self, chunks: Iterable[bytes] = ()) -> None:
        self._chunks: deque[bytes] = deque(chunks)
        self._cond = threading.Condition()
        self._unplugged = False
        self.closed = False

    def feed(self, data: bytes) -> None:
        with self._cond:
            self._chunks.append(data)
            self._cond.notify_all()

    def unplug(self) -> None:
        with self._cond:
            self._unplugged = True
            self._cond.notify_all()

    def read(self, size: int = 1) -> bytes:
        with self._cond:
            if not self._chunks and not self._unplugged:
                self._cond.wait(READ_TIMEOUT_S)
            if self._unplugged:
                raise OSError(5, "device unplugged")
            return self._chunks.popleft() if self._chunks else b""

    def close(self) -> None:
        self.closed = True
