"""Fake printers that behave like hardware: the in-memory ``dummy`` transport, and a
loopback TCP server that records what it receives and answers DLE EOT status requests
(paper out, offline, or silence).

Used by tests and the simulators; it speaks the same raw-9100 protocol as a real printer,
so the real :class:`~kiosk.printer.backends.NetworkTransport` is exercised end to end.
"""

from __future__ import annotations

import bisect
import logging
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

from kiosk.printer.exceptions import PrinterFault
from kiosk.printer.status import DLE_EOT, answer_status_query

log = logging.getLogger(__name__)


class FakeNetworkPrinter:
    """Listens on ``host:port`` (0 = a free port); one recorded job per connection."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.paper = "ok"
        self.online = True
        self.cover_open = False
        self.silent = False
        self.jobs: list[bytes] = []
        self._job_orders: list[int] = []
        self._accepted = 0
        self.queries: list[bytes] = []
        self._cond = threading.Condition()
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> FakeNetworkPrinter:
        thread = threading.Thread(target=self._accept_loop, name="fake-printer", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> FakeNetworkPrinter:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[FakeNetworkPrinter], bool], timeout: float) -> bool:
        """Poll ``predicate`` until true or ``timeout`` seconds pass (no fixed sleeps)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _answer(self, request: bytes) -> bytes:
        return answer_status_query(
            request, paper=self.paper, online=self.online, cover_open=self.cover_open
        )

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn, self._accepted), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket, order: int) -> None:
        """Status requests at the start of a connection are answered, the rest is the job.

        Jobs are kept in the order their connections were accepted, as a printer prints
        them, not in the order their threads happen to finish."""
        data = bytearray()
        job_started = False
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                while not job_started and len(data) >= 3 and data[:2] == DLE_EOT:
                    request = bytes(data[:3])
                    del data[:3]
                    self.queries.append(request)
                    if not self.silent:
                        answer = answer_status_query(
                            request,
                            paper=self.paper,
                            online=self.online,
                            cover_open=self.cover_open,
                        )
                        conn.sendall(answer)
                if data and data[:2] != DLE_EOT[: len(data[:2])]:
                    job_started = True
        with self._cond:
            if data:
                at = bisect.bisect(self._job_orders, order)
                self._job_orders.insert(at, order)
                self.jobs.insert(at, bytes(data))
            self._cond.notify_all()


class DummyTransport:
    """In-memory printer: records jobs and answers status like hardware (paper, online)."""

    def __init__(self, paper: str = "ok", online: bool = True) -> None:
        self.paper = paper
        self.online = online
        self.silent = False
        self.fail_with: PrinterFault | None = None
        self.jobs: list[bytes] = []
        self._current = bytearray()
        self._lock = threading.Lock()

    @property
    def output(self) -> bytes:
        with self._lock:
            return b"".join(self.jobs) + bytes(self._current)

    def open(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def write(self, data: bytes) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            self._current += data

    def query(self, request: bytes, timeout: float) -> bytes | None:
        if self.silent:
            return b""
        return answer_status_query(request, paper=self.paper, online=self.online)

    def close(self) -> None:
        with self._lock:
            if self._current:
                self.jobs.append(bytes(self._current))
                self._current.clear()
