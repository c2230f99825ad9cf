"""The scanner service: the configured scanner (camera, serial or none) → accepted ScannedCodes.

``on_scan`` is called from the scanner's own thread, once per accepted scan; the kiosk
service hands the code over to its own loop. A product code is accepted only when
``is_known(gtin)`` says the price book has it (camera reads also need confirmation across
frames); a shopper's payment code bypasses the price book so the kiosk can route it to
payment. Bad input (garbage lines, unreadable frames, a callback that raises) is logged and
counted, never fatal.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from edge.hardware.camera import Camera
from kiosk.scanner.config import (
    CameraScannerConfig,
    Gs1Config,
    NoScannerConfig,
    ScannerConfig,
    SerialScannerConfig,
)
from kiosk.scanner.gs1 import ScannedCode, interpret
from kiosk.scanner.serial_port import SerialPort

log = logging.getLogger(__name__)

CameraFactory = Callable[[CameraScannerConfig], Camera]
SerialFactory = Callable[[SerialScannerConfig], SerialPort]


@dataclass
class ScannerStats:
    """Counters for health checks and benchmarks (written by the scanner threads)."""

    frames_read: int = 0
    frames_decoded: int = 0
    frames_dropped: int = 0
    reads: int = 0
    accepted: int = 0
    unknown: int = 0
    not_products: int = 0
    garbage_lines: int = 0
    reconnects: int = 0
    callback_errors: int = 0


def scan_key(code: ScannedCode) -> str | None:
    """Identity of a scan for confirmation and debounce: two reads of one label agree.

    Not the raw text (zxing-cpp and pyzbar spell UPC-A differently) and not the lookup GTIN
    alone (two weighed packs of one product differ by weight).
    """
    if code.payment_code is not None:
        return "pay:" + code.payment_code
    if code.gtin is None:
        return None
    return "|".join(
        str(part)
        for part in (
            code.label_gtin or code.gtin,
            code.weight_kg,
            code.price,
            code.expiry,
            code.lot,
            code.serial,
        )
    )


class ScannerService:
    """An ``edge.runtime`` Service: ``name``, ``start()``, ``stop()`` (idempotent)."""

    name = "scanner"

    def __init__(
        self,
        config: ScannerConfig,
        gs1: Gs1Config,
        on_scan: Callable[[ScannedCode], None],
        is_known: Callable[[str], bool],
        clock: Callable[[], float] = time.monotonic,
        camera_factory: CameraFactory | None = None,
        serial_factory: SerialFactory | None = None,
    ) -> None:
        self.config = config
        self.gs1 = gs1
        self._on_scan = on_scan
        self._is_known = is_known
        self.clock = clock
        self._camera_factory = camera_factory or open_camera
        self._serial_factory = serial_factory or open_serial
        self.stats = ScannerStats()
        self.decode_timer: Callable[[str], AbstractContextManager[None]] = _untimed
        """Wraps each frame decode / scanner line (the node's metrics set it)."""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def stop_event(self) -> threading.Event:
        return self._stop

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        config = self.config
        if isinstance(config, CameraScannerConfig):
            from kiosk.scanner.camera_loop import CameraLoop

            self._threads = CameraLoop(self, config, self._camera_factory).threads()
        elif isinstance(config, SerialScannerConfig):
            from kiosk.scanner.serial_loop import SerialLoop

            self._threads = SerialLoop(self, config, self._serial_factory).threads()
        elif isinstance(config, NoScannerConfig):
            log.info("no scanner configured: manual entry only")
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5.0)
            if thread.is_alive():
                log.warning("scanner thread %s did not stop in 5 s", thread.name)
        self._threads = []

    def join(self, timeout: float) -> bool:
        """Wait until the scanner threads end by themselves (a video file ran out)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def interpret(self, text: str, symbology: str) -> ScannedCode | None:
        """Interpret one read; None when it is neither a known product nor a payment code."""
        self.stats.reads += 1
        code = interpret(text, symbology, self.gs1)
        if code.payment_code is not None:
            return code
        if code.gtin is None:
            self.stats.not_products += 1
            log.debug("not a product code: %r (%s)", text[:64], code.error)
            return None
        try:
            known = self._is_known(code.gtin)
        except Exception:
            log.exception("is_known(%s) failed; treating it as unknown", code.gtin)
            known = False
        if not known:
            self.stats.unknown += 1
            log.debug("not in the price book: %s", code.gtin)
            return None
        return code

    def emit(self, code: ScannedCode) -> None:
        """Hand an accepted scan to the kiosk; a failing callback never kills the scanner."""
        self.stats.accepted += 1
        log.info("scan accepted: %s", code.gtin or "payment code")
        try:
            self._on_scan(code)
        except Exception:
            self.stats.callback_errors += 1
            log.exception("on_scan callback failed for %r", code.text[:64])


def _untimed(_decoder: str) -> AbstractContextManager[None]:
    return contextlib.nullcontext()


def open_camera(config: CameraScannerConfig) -> Camera:
    """The real camera backend (OpenCV) for a camera config."""
    from edge.hardware.camera import OpenCvCamera

    return OpenCvCamera(
        config.source,
        width=config.width,
        height=config.height,
        loop=config.loop,
        realtime=config.realtime,
    )


def open_serial(config: SerialScannerConfig) -> SerialPort:
    """pyserial's ``serial_for_url``: a device path, ``loop://``, ``socket://`` or ``rfc2217://``."""
    from kiosk.scanner.serial_port import open_pyserial

    return open_pyserial(config.port, config.baudrate)
