"""Bundle downloads resume with Range after a cut and refuse a wrong checksum."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from contracts.bundles import BundleError
from edge.updates.download import download

BODY = bytes(range(256)) * 1024  # 256 KiB


class Server(ThreadingHTTPServer):
    cut_first_at: int | None = None
    ranges: list[str | None]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        header = self.headers.get("Range")
        self.server.ranges.append(header)
        start = int(header.removeprefix("bytes=").rstrip("-")) if header else 0
        body = BODY[start:]
        self.send_response(206 if header else 200)
        if header:
            self.send_header("Content-Range", f"bytes {start}-{len(BODY) - 1}/{len(BODY)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = self.server.cut_first_at
        if cut is not None:
            self.server.cut_first_at = None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.connection.close()  # the uplink drops mid-transfer
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.ranges = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/bundle"


def test_resumes_after_a_cut_and_checks_the_hash(server: Server, tmp_path: Path) -> None:
    server.cut_first_at = 100_000
    dest = tmp_path / "b.tar"
    sha = hashlib.sha256(BODY).hexdigest()
    download(_url(server), dest, sha256=sha, size=len(BODY), backoff_s=0.01)
    assert dest.read_bytes() == BODY
    assert server.ranges[0] is None
    assert len(server.ranges) == 2
    resumed_at = int(str(server.ranges[1]).removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 100_000  # kept what came before the cut
    assert not dest.with_name("b.tar.part").exists()


def test_wrong_checksum_is_refused_and_nothing_kept(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "b.tar"
    with pytest.raises(BundleError, match="checksum mismatch"):
        download(_url(server), dest, sha256="0" * 64, size=len(BODY), backoff_s=0.01)
    assert not dest.exists()
    assert not dest.with_name("b.tar.part").exists()


def test_unreachable_cloud_fails_after_the_attempts(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="after 2 attempts"):
        download(
            "http://127.0.0.1:9/none",
            tmp_path / "b.tar",
            sha256="0" * 64,
            size=1,
            attempts=2,
            backoff_s=0.01,
        )
