"""Serial (USB-COM) scanner thread: lines ending with the configured suffix → scans.

USB-COM mode rather than keyboard wedge: a wedge scanner garbles codes under other keyboard
layouts. Partial lines wait for their suffix; over-long lines and noise are dropped and
counted; an unplugged scanner is reopened every ``reconnect_s`` until it is back.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from kiosk.scanner.config import SerialScannerConfig
from kiosk.scanner.exceptions import ScannerError
from kiosk.scanner.serial_port import SerialPort

if TYPE_CHECKING:
    from kiosk.scanner.service import ScannerService, SerialFactory

log = logging.getLogger(__name__)

GROUP_SEPARATOR = "\x1d"  # FNC1 in GS1 codes: the only control character kept


def clean_line(raw: bytes) -> str:
    """Bytes of one line → text: Latin-1 (never fails), control characters but GS removed."""
    text = raw.decode("latin-1")
    return "".join(ch for ch in text if ch >= " " or ch == GROUP_SEPARATOR).strip()


def split_lines(buffer: bytes, suffix: bytes, max_line: int) -> tuple[list[bytes], bytes, int]:
    """Complete lines in ``buffer``, the unfinished rest, and how many over-long ones were cut."""
    parts = buffer.split(suffix)
    rest = parts.pop()
    dropped = sum(1 for part in parts if len(part) > max_line)
    lines = [part for part in parts if len(part) <= max_line]
    if len(rest) > max_line:  # no suffix in sight: noise on the line, not a code
        dropped += 1
        rest = b""
    return lines, rest, dropped


class SerialLoop:
    """The reader thread of one serial scanner."""

    def __init__(
        self, service: ScannerService, config: SerialScannerConfig, factory: SerialFactory
    ) -> None:
        self.service = service
        self.config = config
        self.factory = factory
        self._suffix = config.suffix.encode("ascii")
        self._last: tuple[str, float] | None = None

    def threads(self) -> list[threading.Thread]:
        return [threading.Thread(target=self._run, name="scanner-serial", daemon=True)]

    def _run(self) -> None:
        stop = self.service.stop_event
        port: SerialPort | None = None
        buffer = b""
        try:
            while not stop.is_set():
                if port is None:
                    port = self._open()
                    buffer = b""
                    if port is None:
                        stop.wait(self.config.reconnect_s)
                        continue
                try:
                    chunk = port.read(64)
                except (OSError, ScannerError) as exc:
                    log.warning("serial scanner %s lost: %s", self.config.port, exc)
                    self.service.stats.reconnects += 1
                    _close(port)
                    port = None
                    stop.wait(self.config.reconnect_s)
                    continue
                if chunk:
                    buffer = self.feed(buffer + chunk)
        finally:
            if port is not None:
                _close(port)

    def _open(self) -> SerialPort | None:
        try:
            return self.factory(self.config)
        except (ScannerError, OSError) as exc:
            log.warning("serial scanner unavailable: %s", exc)
            return None

    def feed(self, buffer: bytes) -> bytes:
        """Handle every complete line in ``buffer``; return the unfinished rest."""
        lines, rest, dropped = split_lines(buffer, self._suffix, self.config.max_line)
        self.service.stats.garbage_lines += dropped
        for raw in lines:
            self.handle_line(clean_line(raw))
        return rest

    def handle_line(self, text: str) -> None:
        if not text:
            return
        now = self.service.clock()
        if (
            self._last is not None
            and self._last[0] == text
            and now - self._last[1] < self.config.debounce_s
        ):
            return
        self._last = (text, now)
        with self.service.decode_timer("serial"):
            code = self.service.interpret(text, "unknown")  # counts unknown / not-product reads
        if code is not None:
            self.service.emit(code)


def _close(port: SerialPort) -> None:
    try:
        port.close()
    except OSError as exc:
        log.debug("closing the serial port failed: %s", exc)
