"""A handheld camera for simulated kiosks: it shows what the shopper holds up, nothing else.

Frames are real renders of the item's barcode (zxing-cpp symbols placed on a cluttered scene
by :mod:`kiosk.scanner.testing`), so every simulated scan goes through the kiosk's real
decode → confirm → price book pipeline. A label that "does not scan" is rendered with the
middle of the symbol covered by the shopper's thumb. Between items the camera shows an empty,
tiny frame so the decoder idles cheaply.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict

import cv2
import numpy as np

from edge.hardware.camera import Frame

EMPTY: Frame = np.full((48, 64, 3), 96, np.uint8)
WIDTH, HEIGHT = 640, 480


class FrameCache:
    """Rendered frames per (GTIN, covered), least recently used evicted; thread-safe."""

    def __init__(self, seed: int = 0, size: int = 64, frames_per_item: int = 3) -> None:
        self._rng = random.Random(seed)
        self._size = size
        self._n = frames_per_item
        self._cache: OrderedDict[tuple[str, bool], list[Frame]] = OrderedDict()
        self._lock = threading.Lock()
        self._scenes: list[Frame] = []

    def frames(self, gtin: str, covered: bool = False) -> list[Frame]:
        key = (gtin, covered)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
            frames = self._render(gtin, covered)
            self._cache[key] = frames
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
            return frames

    def _render(self, gtin: str, covered: bool) -> list[Frame]:
        from kiosk.scanner.testing import Label, background, render_frame

        if not self._scenes:
            self._scenes = [background(self._rng, WIDTH, HEIGHT) for _ in range(3)]
        if gtin.startswith("000000"):
            label = Label("ean8", gtin[6:], gtin)
        elif gtin.startswith("00"):
            label = Label("upca", gtin[2:], gtin)
        else:
            label = Label("ean13", gtin[1:], gtin)
        scene = self._rng.choice(self._scenes)
        centre = (WIDTH / 2 + self._rng.uniform(-60, 60), HEIGHT / 2 + self._rng.uniform(-40, 40))
        out = []
        for _ in range(self._n):
            jitter = (centre[0] + self._rng.uniform(-6, 6), centre[1] + self._rng.uniform(-6, 6))
            frame = render_frame(label, "clean", self._rng, scene=scene, centre=jitter)
            if covered:
                # a thumb across the middle of the symbol breaks every scan line; a band
                # along it (as before) left the top and bottom rows readable: 120/120 scanned
                cx, cy = int(jitter[0]), int(jitter[1])
                cv2.rectangle(frame, (cx - 50, cy - 130), (cx + 50, cy + 130), (40, 60, 90), -1)
            out.append(frame)
        return out


class HandheldCamera:
    """Implements :class:`edge.hardware.camera.Camera`; ``show``/``hide`` from shopper threads."""

    def __init__(self, fps: float = 12.0) -> None:
        self._period = 1.0 / fps
        self._frames: list[Frame] = []
        self._index = 0
        self._cond = threading.Condition()
        self._closed = False
        self.served = 0

    def show(self, frames: list[Frame]) -> None:
        with self._cond:
            self._frames = list(frames)
            self._index = 0
            self._cond.notify_all()

    def hide(self) -> None:
        with self._cond:
            self._frames = []

    def read(self) -> Frame | None:
        with self._cond:
            if self._closed:
                return None
            self._cond.wait(self._period)
            if self._closed:
                return None
            if not self._frames:
                return EMPTY
            frame = self._frames[self._index % len(self._frames)]
            self._index += 1
            self.served += 1
            return frame

    def close(self) -> None:
        """The scanner releases the device; a restarted kiosk reopens a fresh one."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
