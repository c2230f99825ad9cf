"""What the fake payment gateways share: a threaded HTTP server on loopback, RSA key pairs
written as PEM files, and the scripted outcomes a test queues.

The fakes are test fixtures, never a runtime path: real HTTP servers speaking the providers'
documented request and response shapes, checking and making the providers' signatures, so the
adapters under test run their real SDK code end to end.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey
    private_pem: str
    public_pem: str

    @classmethod
    def new(cls) -> KeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        return cls(key, private_pem, public_pem)

    def write(self, folder: Path, name: str) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        private, public = folder / f"{name}_key.pem", folder / f"{name}_pub.pem"
        private.write_text(self.private_pem)
        public.write_text(self.public_pem)
        return private, public


class Script:
    """Outcomes for the next payments, in order; ``default`` when none is queued."""

    def __init__(self, default: str = "success") -> None:
        self.default = default
        self._queue: deque[str] = deque()
        self._lock = threading.Lock()

    def push(self, *outcomes: str) -> None:
        with self._lock:
            self._queue.extend(outcomes)

    def next(self) -> str:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, served from a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], fake: object) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = fake  # type: ignore[attr-defined]  # the handler finds its fake here
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)
