"""Services with start/stop, one stop event, SIGTERM/SIGINT, ordered shutdown.

A node is a list of services (outbox drain link, devices, web UI…). They start in order and
stop in reverse, so nothing stops while something started after it still uses it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Protocol

log = logging.getLogger(__name__)


class Service(Protocol):
    """Anything with a name that can be started and stopped; ``stop`` must be idempotent."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Runtime:
    """Start services in order, wait for a signal or the stop event, stop them in reverse."""

    def __init__(
        self, services: Sequence[Service], stop_event: threading.Event | None = None
    ) -> None:
        self.services = list(services)
        self.stop_event = stop_event or threading.Event()
        self.started: list[Service] = []

    def run(self, install_signals: bool = True) -> None:
        """Blocks until SIGTERM/SIGINT or ``stop_event``; re-raises a failing ``start``."""
        previous: dict[signal.Signals, object] = {}
        if install_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, self._on_signal)
        try:
            self.start_all()
            while not self.stop_event.wait(1.0):
                pass
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

    def start_all(self) -> None:
        for service in self.services:
            log.info("starting %s", service.name)
            try:
                service.start()
            except Exception:
                log.exception(
                    "%s failed to start; stopping the %d started", service.name, len(self.started)
                )
                raise
            self.started.append(service)

    def stop_all(self) -> None:
        while self.started:
            service = self.started.pop()
            log.info("stopping %s", service.name)
            try:
                service.stop()
            except Exception:
                log.exception("%s failed to stop", service.name)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: shutting down", signal.Signals(signum).name)
        self.stop_event.set()
