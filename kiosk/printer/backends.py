"""Transports: move bytes to the printer and read status answers; nothing else.

Each backend maps its library's errors to :class:`PrinterFault` codes at this boundary:
refused/unreachable → ``printer_offline``, "Resource busy" (usblp or CUPS holds the USB
device, another process holds the tty) → ``printer_busy``, the rest → ``printer_error``.
pyserial and pyusb are imported lazily so the package imports on any laptop.
"""

from __future__ import annotations

import errno
import logging
import select
import socket
from typing import Any, Protocol

from kiosk.printer.config import (
    AnyPrinterConfig,
    DummyPrinterConfig,
    FilePrinterConfig,
    NetworkPrinterConfig,
    SerialPrinterConfig,
    UsbPrinterConfig,
)
from kiosk.printer.exceptions import PrinterFault
from kiosk.printer.fake import DummyTransport

log = logging.getLogger(__name__)


class Transport(Protocol):
    """A connection to one printer; ``open`` before a job, ``close`` after it."""

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def query(self, request: bytes, timeout: float) -> bytes | None:
        """Send a real-time request; the answer, ``b""`` on silence, None if unsupported."""
        ...

    def close(self) -> None: ...


def _busy(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.EBUSY or "busy" in str(exc).lower()


class NetworkTransport:
    """Raw TCP (port 9100); one connection per job so a printer restart is harmless."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None

    def open(self) -> None:
        self.close()
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            raise PrinterFault(
                "printer_offline", f"printer {self.host}:{self.port} unreachable: {exc}"
            ) from exc

    def _connected(self) -> socket.socket:
        if self._sock is None:
            self.open()
        assert self._sock is not None
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._connected()
        try:
            sock.sendall(data)
        except OSError as exc:
            self.close()
            raise PrinterFault("printer_offline", f"printer connection lost: {exc}") from exc

    def query(self, request: bytes, timeout: float) -> bytes | None:
        sock = self._connected()
        try:
            self._drain(sock)
            sock.sendall(request)
            ready, _, _ = select.select([sock], [], [], timeout)
            if not ready:
                return b""
            answer = sock.recv(16)
        except OSError as exc:
            self.close()
            raise PrinterFault("printer_offline", f"printer connection lost: {exc}") from exc
        if not answer:  # peer closed
            self.close()
            raise PrinterFault("printer_offline", "printer closed the connection")
        return answer

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        """Discard stale answers so the next byte read answers this request."""
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(256):
                return

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


class SerialTransport:
    """pyserial port or URL (``loop://``, ``socket://``, ``/dev/ttyUSB0``)."""

    def __init__(self, port: str, baudrate: int, timeout: float) -> None:
        self.port, self.baudrate, self.timeout = port, baudrate, timeout
        self._serial: Any = None

    def open(self) -> None:
        import serial

        self.close()
        try:
            self._serial = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=0, write_timeout=self.timeout
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            if _busy(exc):
                raise PrinterFault("printer_busy", f"serial port {self.port}: {exc}") from exc
            raise PrinterFault("printer_offline", f"serial printer {self.port}: {exc}") from exc

    def write(self, data: bytes) -> None:
        import serial

        if self._serial is None:
            self.open()
        try:
            self._serial.write(data)
            self._serial.flush()
        except serial.SerialTimeoutException as exc:
            raise PrinterFault("printer_offline", f"serial printer stopped reading: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterFault("printer_error", f"serial printer {self.port}: {exc}") from exc

    def query(self, request: bytes, timeout: float) -> bytes | None:
        if self._serial is None:
            self.open()
        self._serial.reset_input_buffer()
        self._serial.write(request)
        self._serial.timeout = timeout
        try:
            answer: bytes = self._serial.read(1)
        finally:
            self._serial.timeout = 0
        return answer

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            finally:
                self._serial = None


class FileTransport:
    """A device node (``/dev/usb/lp0``) or a file; no status channel."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: Any = None

    def open(self) -> None:
        self.close()
        try:
            self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
        except OSError as exc:
            raise _file_fault(self.path, exc) from exc

    def write(self, data: bytes) -> None:
        if self._file is None:
            self.open()
        try:
            self._file.write(data)
        except OSError as exc:
            raise _file_fault(self.path, exc) from exc

    def query(self, request: bytes, timeout: float) -> bytes | None:
        return None

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None


def _file_fault(path: str, exc: OSError) -> PrinterFault:
    if _busy(exc):
        return PrinterFault("printer_busy", f"{path} is busy (held by CUPS or usblp?): {exc}")
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        return PrinterFault("printer_offline", f"{path}: {exc}")
    return PrinterFault("printer_error", f"{path}: {exc}")


class UsbTransport:
    """pyusb through python-escpos's ``Usb`` printer class, used only as a pipe."""

    def __init__(self, config: UsbPrinterConfig) -> None:
        self.config = config
        self._usb: Any = None

    def open(self) -> None:
        from escpos.printer import Usb
        from escpos.printer.usb import is_usable

        if not is_usable():
            raise PrinterFault("printer_error", "USB printing needs pyusb (pip install pyusb)")
        kwargs: dict[str, Any] = {"timeout": self.config.timeout_ms}
        if self.config.in_ep is not None:
            kwargs["in_ep"] = self.config.in_ep
        if self.config.out_ep is not None:
            kwargs["out_ep"] = self.config.out_ep
        try:
            usb = Usb(
                self.config.vendor_id, self.config.product_id, profile=self.config.profile, **kwargs
            )
            usb.open()  # claims the device now, so "Resource busy" surfaces here
            self._usb = usb
        except Exception as exc:
            raise _usb_fault(exc) from exc

    def write(self, data: bytes) -> None:
        if self._usb is None:
            self.open()
        try:
            self._usb._raw(data)
        except Exception as exc:
            raise _usb_fault(exc) from exc

    def query(self, request: bytes, timeout: float) -> bytes | None:
        if self._usb is None:
            self.open()
        try:
            self._usb._raw(request)
            answer: bytes = bytes(self._usb._read())
        except Exception as exc:
            log.debug("USB status read failed: %s", exc)
            return b""
        return answer

    def close(self) -> None:
        if self._usb is not None:
            try:
                self._usb.close()
            except Exception as exc:
                log.debug("USB close: %s", exc)
            self._usb = None


def _usb_fault(exc: BaseException) -> PrinterFault:
    text = str(exc)
    if _busy(exc):
        return PrinterFault("printer_busy", f"USB printer busy (usblp or CUPS holds it): {text}")
    if isinstance(exc, RuntimeError) and "pyusb" in text.lower():
        return PrinterFault("printer_error", f"pyusb is not installed: {text}")
    if "not found" in text.lower() or type(exc).__name__.endswith("NotFoundError"):
        return PrinterFault("printer_offline", f"USB printer not found: {text}")
    return PrinterFault("printer_error", f"USB printer: {text}")


def build_transport(config: AnyPrinterConfig) -> Transport:
    """The transport for ``config.type``."""
    if isinstance(config, NetworkPrinterConfig):
        return NetworkTransport(config.host, config.port, config.timeout_s)
    if isinstance(config, SerialPrinterConfig):
        return SerialTransport(config.port, config.baudrate, config.timeout_s)
    if isinstance(config, FilePrinterConfig):
        return FileTransport(str(config.path))
    if isinstance(config, UsbPrinterConfig):
        return UsbTransport(config)
    assert isinstance(config, DummyPrinterConfig)
    return DummyTransport(config.paper, config.online)
