"""The scale's thread: samples → stability detector → ``on_stable(grams)``.

Blocking reads stay in this thread (convention 8); the checkout only sees stable weights.
A failing scale reports through ``on_fault`` once and keeps retrying, never crashing the node.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from decimal import Decimal

from kiosk.domain.bagging import StableDetector
from kiosk.exceptions import ScaleError
from kiosk.scale.base import Scale

log = logging.getLogger(__name__)


class ScaleService:
    name = "scale"

    def __init__(
        self,
        scale: Scale,
        on_stable: Callable[[Decimal], None],
        on_fault: Callable[[str, bool], None] | None = None,
        window: int = 5,
        spread_g: Decimal = Decimal(3),
    ) -> None:
        self.scale = scale
        self.on_stable = on_stable
        self.on_fault = on_fault
        self.detector = StableDetector(window, spread_g)
        self.last_stable: Decimal | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-scale", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.scale.close()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        faulted = False
        while not self._stop.is_set():
            try:
                grams = self.scale.read(0.2)
            except ScaleError as exc:
                if not faulted and self.on_fault is not None:
                    self.on_fault(str(exc), True)
                faulted = True
                self._stop.wait(1.0)
                continue
            if faulted and self.on_fault is not None:
                self.on_fault("scale back", False)
            faulted = False
            if grams is None:
                continue
            stable = self.detector.feed(grams)
            if stable is None:
                continue
            self.last_stable = stable
            try:
                self.on_stable(stable)
            except Exception:
                log.exception("bagging check failed on %s g", stable)
