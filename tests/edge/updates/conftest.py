"""Bundles built by the real build code, served over HTTP, installed under a node root."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.updates.build import build_bundle, public_key_text
from contracts.bundles import load_public_key
from edge.updates.slots import KNOWN_GOOD, Slots
from tests.support.bundles import node_source, tiny_wheel


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Shelf:
    """A directory of bundles served over HTTP, all signed by ``key``."""

    tmp: Path
    key: Ed25519PrivateKey
    url: str

    @property
    def public(self) -> str:
        return public_key_text(self.key)

    def build(self, version: str, **kwargs: object) -> Path:
        source = node_source(self.tmp / f"src-{version}", version)
        wheels = self.tmp / "wheels"
        if not wheels.exists():
            tiny_wheel(wheels)
        out = self.tmp / "served" / f"{version}.tar"
        build_bundle(
            version=version,
            source=source,
            wheelhouse=wheels,
            key=self.key,
            out=out,
            **kwargs,  # type: ignore[arg-type]
        )
        return out

    def order(self, version: str, rollout: str | None = "r1") -> dict[str, object]:
        path = self.tmp / "served" / f"{version}.tar"
        return {
            "version": version,
            "url": f"{self.url}/{version}.tar",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "size": path.stat().st_size,
            "rollout": rollout,
        }

    def install_first(self, root: Path, version: str) -> Slots:
        """A node as provisioned: ``version`` installed, current and known-good."""
        slots = Slots(root)
        bundle = self.build(version)
        slots.install(bundle, load_public_key(self.public), kind="kiosk", running=None)
        slots.switch(version)
        slots.switch(version, KNOWN_GOOD)
        return slots


@pytest.fixture
def shelf(tmp_path: Path) -> Iterator[Shelf]:
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(Quiet, directory=str(served))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield Shelf(tmp_path, Ed25519PrivateKey.generate(), f"http://127.0.0.1:{srv.server_address[1]}")
    srv.shutdown()
    srv.server_close()
