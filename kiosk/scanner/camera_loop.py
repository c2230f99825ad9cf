"""Camera scanning threads: one grabs frames, one decodes the newest and drops stale ones.

Grabbing in its own thread keeps the device's buffer empty, so the decoder always works on
what the camera sees now, not on a queue from a second ago (a shopper moves on quickly).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from edge.hardware.camera import Camera, CameraError, Frame, is_file_source
from kiosk.scanner.config import CameraScannerConfig
from kiosk.scanner.confirm import Confirmer
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.pipeline import decode_frame

if TYPE_CHECKING:
    from kiosk.scanner.service import CameraFactory, ScannerService

log = logging.getLogger(__name__)

REOPEN_MIN_S = 0.5
REOPEN_MAX_S = 10.0
WAIT_S = 0.2


class CameraLoop:
    """The grabber and decoder threads of one camera scanner."""

    def __init__(
        self, service: ScannerService, config: CameraScannerConfig, factory: CameraFactory
    ) -> None:
        self.service = service
        self.config = config
        self.factory = factory
        self.confirmer = Confirmer(
            confirm_frames=config.confirm_frames,
            confirm_window_s=config.confirm_window_s,
            debounce_s=config.debounce_s,
            left_view_s=config.left_view_s,
        )
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._ended = False

    def threads(self) -> list[threading.Thread]:
        return [
            threading.Thread(target=self._grab, name="scanner-grab", daemon=True),
            threading.Thread(target=self._decode, name="scanner-decode", daemon=True),
        ]

    # grabber -----------------------------------------------------------------------------
    def _grab(self) -> None:
        stop = self.service.stop_event
        backoff = REOPEN_MIN_S
        camera: Camera | None = None
        try:
            while not stop.is_set():
                if camera is None:
                    camera = self._open()
                    if camera is None:
                        stop.wait(backoff)
                        backoff = min(backoff * 2, REOPEN_MAX_S)
                        continue
                frame = camera.read()
                if frame is not None:
                    backoff = REOPEN_MIN_S
                    self._publish(frame)
                    continue
                camera.close()
                camera = None
                if is_file_source(self.config.source) and not self.config.loop:
                    log.info("video source %s ended", self.config.source)
                    break
                self.service.stats.reconnects += 1
                log.warning("camera %r gave no frame; reopening", self.config.source)
                stop.wait(backoff)
                backoff = min(backoff * 2, REOPEN_MAX_S)
        finally:
            if camera is not None:
                camera.close()
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def _open(self) -> Camera | None:
        try:
            return self.factory(self.config)
        except (CameraError, OSError) as exc:
            log.warning("camera %r unavailable: %s", self.config.source, exc)
            return None

    def _publish(self, frame: Frame) -> None:
        with self._cond:
            if self._latest is not None:
                self.service.stats.frames_dropped += 1
            self._latest = frame
            self.service.stats.frames_read += 1
            self._cond.notify_all()

    # decoder -----------------------------------------------------------------------------
    def _next_frame(self) -> Frame | None:
        """The newest frame, waiting for one; None once stopped or the source ended."""
        stop = self.service.stop_event
        with self._cond:
            while self._latest is None:
                if stop.is_set() or self._ended:
                    return None
                self._cond.wait(WAIT_S)
            frame, self._latest = self._latest, None
            return frame

    def _decode(self) -> None:
        while (frame := self._next_frame()) is not None:
            try:
                self.process(frame)
            except Exception:  # a bad frame or a bug must not stop scanning
                log.exception("frame processing failed")

    def process(self, frame: Frame) -> list[ScannedCode]:
        """Decode one frame, feed the confirmer, emit and return what it accepts."""
        from kiosk.scanner.service import scan_key

        service = self.service
        with service.decode_timer("camera"):
            symbols = decode_frame(
                frame,
                self.config.decoders,
                roi=self.config.roi,
                budget_ms=self.config.budget_ms,
                retry_share=self.config.retry_share,
                fit_share=self.config.fit_share,
            )
        service.stats.frames_decoded += 1
        codes: dict[str, ScannedCode] = {}
        for symbol in symbols:
            code = service.interpret(symbol.text, symbol.symbology)
            key = scan_key(code) if code is not None else None
            if code is not None and key is not None:
                codes.setdefault(key, code)
        accepted = [codes[key] for key in self.confirmer.observe(service.clock(), codes)]
        for code in accepted:
            service.emit(code)
        return accepted
