"""The fault fleet's worker processes, seen from the parent: start, open, go, watch, collect.

Stores are dealt round-robin over the workers (:func:`simulators.faultworker.serve`); each
worker talks over its own pipe. A worker that dies or raises ends the run with its error.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from simulators.exceptions import SimulatorError
from simulators.faultworker import FleetSpec, StoreFacts, serve

PROGRESS_EVERY_S = 10.0


class Workers:
    def __init__(
        self, spec: FleetSpec, stores: int, count: int, progress: Callable[[str], None]
    ) -> None:
        ctx = multiprocessing.get_context("spawn")  # no threads or sockets inherited
        count = max(1, min(count, stores))
        self.stores = stores
        self.progress = progress
        self.procs: list[BaseProcess] = []
        self.conns: list[Connection] = []
        self.opened: list[str] = []
        self.status: dict[int, tuple[bool, int, str]] = {}
        self.facts: dict[int, list[StoreFacts]] = {}
        for k in range(count):
            parent, child = ctx.Pipe()
            indexes = list(range(stores))[k::count]
            proc = ctx.Process(
                target=serve, args=(spec, indexes, child), name=f"fleet-worker-{k + 1}"
            )
            proc.daemon = True
            proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)
        progress(f"fleet: {stores} stores over {count} worker process(es)")

    # Messages -----------------------------------------------------------------------------

    def _pump(self, timeout: float) -> None:
        for conn in wait(self.conns, timeout):
            assert isinstance(conn, Connection)
            k = self.conns.index(conn)
            try:
                msg: tuple[Any, ...] = conn.recv()
            except EOFError:
                raise SimulatorError(f"fleet worker {k + 1} died") from None
            self._handle(k, msg)

    def _handle(self, k: int, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "open":
            self.opened.append(msg[1])
            self.progress(f"{msg[1]} open ({len(self.opened)}/{self.stores})")
        elif kind == "status":
            self.status[k] = (bool(msg[1]), int(msg[2]), str(msg[3]))
        elif kind == "facts":
            self.facts[k] = list(msg[1])
        elif kind == "error":
            raise SimulatorError(f"fleet worker {k + 1} failed:\n{msg[1]}")

    def wait(self, done: Callable[[], bool], timeout: float, phase: str) -> bool:
        """Read messages until ``done()`` or ``timeout``; a progress line now and then."""
        start = time.monotonic()
        deadline = start + timeout
        shown = start
        while not done():
            now = time.monotonic()
            if now >= deadline:
                return False
            if now - shown >= PROGRESS_EVERY_S:
                shown = now
                self.progress(f"{phase} +{now - start:.0f} s: {self.summary()}")
            self._pump(min(1.0, deadline - now))
        return True

    def summary(self) -> str:
        idle = sum(1 for s in self.status.values() if s[0])
        line = self.status[0][2] if 0 in self.status else ""
        return f"idle workers {idle}/{len(self.conns)}, unacked {self.depth()} | {line}"

    # Phases -------------------------------------------------------------------------------

    def open(self, timeout: float) -> None:
        if not self.wait(lambda: len(self.opened) == self.stores, timeout, "open"):
            raise SimulatorError(f"only {len(self.opened)} of {self.stores} stores opened")

    def go(self) -> None:
        for conn in self.conns:
            conn.send(("go",))

    def reported(self) -> bool:
        return len(self.status) == len(self.conns)

    def idle(self) -> bool:
        return self.reported() and all(s[0] for s in self.status.values())

    def depth(self) -> int:
        """Events the stores' outboxes hold that the cloud has not acknowledged."""
        return sum(s[1] for s in self.status.values())

    def fresh(self) -> None:
        """Forget the statuses: :meth:`reported` waits for a new one from every worker."""
        self.status.clear()

    def collect(self, timeout: float = 180.0) -> list[StoreFacts]:
        for conn in self.conns:
            conn.send(("collect",))
        if not self.wait(lambda: len(self.facts) == len(self.conns), timeout, "collect"):
            raise SimulatorError("the fleet workers did not report their stores' facts")
        return [f for k in sorted(self.facts) for f in self.facts[k]]

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
            conn.close()
        for proc in self.procs:
            proc.join(timeout=120)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=10)
