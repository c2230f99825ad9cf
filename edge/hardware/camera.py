"""Camera behind a small Protocol: an OpenCV backend (device index, video file, stream URL)
and a fake fed with frames, for tests and simulators.

``read()`` blocks until the next frame and returns None when there is none (end of a file,
unplugged device, dropped stream); the caller decides whether to reopen. Reads run in the
caller's thread: the scanner owns one thread per camera, so a slow device never blocks
anything else.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from edge.exceptions import EdgeError

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]


class CameraError(EdgeError):
    """The camera cannot be opened (no device, unreadable file, unreachable stream)."""


class Camera(Protocol):
    """A source of BGR frames."""

    def read(self) -> Frame | None:
        """The next frame, or None when none is available (end of file, device gone)."""
        ...

    def close(self) -> None:
        """Release the device; further reads return None. Idempotent."""
        ...


def is_file_source(source: int | str) -> bool:
    """True for a local video file (as opposed to a device index or a stream URL)."""
    return isinstance(source, str) and "://" not in source and os.path.isfile(source)


class OpenCvCamera:
    """``cv2.VideoCapture`` on a device index, a video file or a stream URL.

    A video file can be played in real time (``realtime=True``: frames are paced at the
    file's frame rate, like a live camera, so the consumer sees frames drop when it is slow)
    and looped (``loop=True``) for demos and soak tests.
    """

    def __init__(
        self,
        source: int | str,
        *,
        width: int | None = None,
        height: int | None = None,
        loop: bool = False,
        realtime: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import cv2

        self._cv2: Any = cv2
        self.source = source
        self._is_file = is_file_source(source)
        self._loop = loop and self._is_file
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"cannot open camera source {source!r}")
        if not self._is_file:
            if width:
                capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            if height:
                capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep latency low: no stale queue
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self._period = 1.0 / fps if realtime and self._is_file and 0 < fps < 1000 else 0.0
        self._next_due: float | None = None
        self._capture: Any = capture

    def read(self) -> Frame | None:
        with self._lock:
            capture = self._capture
            if capture is None:
                return None
            self._pace()
            ok, frame = capture.read()
            if not ok and self._loop:
                capture.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = capture.read()
            if not ok or frame is None:
                return None
            return np.asarray(frame, dtype=np.uint8)

    def _pace(self) -> None:
        if self._period <= 0:
            return
        now = self._clock()
        if self._next_due is None or now - self._next_due > 1.0:
            self._next_due = now  # first frame, or we fell far behind: resynchronise
        elif self._next_due > now:
            self._sleep(self._next_due - now)
        self._next_due += self._period

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None


class FakeCamera:
    """Frames from a list (or any iterable), optionally looped and paced at ``fps``.

    Behaves like hardware where it matters to a consumer: frames arrive at a rate, a
    ``fail_after`` count makes it "unplug" (read returns None from then on), and
    ``close`` is idempotent.
    """

    def __init__(
        self,
        frames: Sequence[Frame] | Iterable[Frame],
        *,
        loop: bool = False,
        fps: float | None = None,
        fail_after: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._frames = list(frames)
        self._loop = loop
        self._period = 1.0 / fps if fps else 0.0
        self._fail_after = fail_after
        self._clock = clock
        self._sleep = sleep
        self._index = 0
        self._served = 0
        self._next_due: float | None = None
        self._closed = False
        self.reads = 0

    def read(self) -> Frame | None:
        self.reads += 1
        if self._closed or not self._frames:
            return None
        if self._fail_after is not None and self._served >= self._fail_after:
            return None
        if self._index >= len(self._frames):
            if not self._loop:
                return None
            self._index = 0
        if self._period > 0:
            now = self._clock()
            if self._next_due is not None and self._next_due > now:
                self._sleep(self._next_due - now)
            self._next_due = max(now, self._next_due or now) + self._period
        frame = self._frames[self._index]
        self._index += 1
        self._served += 1
        return frame

    def close(self) -> None:
        self._closed = True
