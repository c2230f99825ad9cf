"""The store's uplink: a TCP relay between the simulated nodes and the broker.

A ``broker_outage`` fault cuts it: every open connection is reset and new ones are refused
until it comes back. From a node's side that is exactly a broker outage (the socket drops,
reconnects fail), whatever broker runs behind it — Mosquitto, EMQX or the embedded amqtt.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading

log = logging.getLogger(__name__)


class Uplink:
    """``start()`` listens on a free local port; ``url`` is what the nodes connect to."""

    def __init__(self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._up = threading.Event()
        self._up.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cuts = 0

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(64)
        listener.settimeout(0.2)
        self.port = int(listener.getsockname()[1])
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, name="uplink-accept", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.down()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()

    def down(self) -> None:
        """Cut every connection and refuse new ones."""
        self._up.clear()
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            _close(conn)
        self.cuts += 1
        log.warning("uplink down: %d connection(s) cut", len(conns) // 2)

    def up(self) -> None:
        self._up.set()
        log.warning("uplink up again")

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._up.is_set():
                _close(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError as exc:
                log.info("uplink: broker unreachable: %s", exc)
                _close(client)
                continue
            for s in (client, server):
                s.settimeout(None)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.update((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)
            _close(src)
            _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
