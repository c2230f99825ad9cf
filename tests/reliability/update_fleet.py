"""The update acceptance test's fleet: bundles, node roots, supervised node processes, the cloud.

Real parts: bundles from ``cloud.updates.build`` (real ``contracts`` and ``edge`` packages and
the light node of ``update_node.py``, a tiny local wheel), published through
``BundleStore`` and ``service.publish_release``, served by the real cloud app (uvicorn) with
Range; nodes installed by ``edge.updates.slots``; each node a process under the supervisor
double (guard, restart); orders sent by ``RolloutDriver`` over Mosquitto; reports applied by
a ``smartstore cloud ingest`` worker process on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.main import create_app
from cloud.settings import CloudSettings
from cloud.updates import service
from cloud.updates.build import build_bundle, public_key_text
from cloud.updates.bundles import BundleStore
from contracts.bundles import load_public_key
from edge.updates.slots import KNOWN_GOOD, Slots
from tests.support.bundles import tiny_wheel
from tests.support.services import MosquittoProcess, free_port, wait_for_port
from tests.support.supervisor import Supervised

REPO = Path(__file__).resolve().parents[2]
NODE_SOURCE = Path(__file__).with_name("update_node.py")
PACKAGES = ("contracts", "edge", "updnode")
BUG = ("Runtime([link, seller, agent]).run()", "Runtime([seller, agent]).run()")
"""Version 1.2.0's bug: the node never starts its link, so its self-test never passes."""


def source_tree(tmp: Path, version: str, broken: bool = False) -> Path:
    root = tmp / f"src-{version}"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("contracts", "edge"):
        shutil.copytree(REPO / package, root / package, ignore=ignore)
    (root / "updnode").mkdir()
    (root / "updnode" / "__init__.py").write_text(f'"""Light node {version}."""\n')
    text = NODE_SOURCE.read_text()
    if broken:
        assert BUG[0] in text
        text = text.replace(*BUG)
    (root / "updnode" / "__main__.py").write_text(text)
    return root


def build_versions(tmp: Path, key: Ed25519PrivateKey, versions: dict[str, bool]) -> dict[str, Path]:
    """``{version: broken}`` → bundle files, built and signed by the real build code."""
    wheels = tmp / "wheels"
    tiny_wheel(wheels)
    out = {}
    for version, broken in versions.items():
        path = tmp / "built" / f"{version}.tar"
        build_bundle(
            version=version, source=source_tree(tmp, version, broken), wheelhouse=wheels,
            key=key, out=path, node_kinds=["kiosk"], packages=PACKAGES,
        )  # fmt: skip
        out[version] = path
    return out


def publish(settings: CloudSettings, sessions: sessionmaker[Session], bundles: dict[str, Path],
            public: str) -> None:  # fmt: skip
    store = BundleStore(settings.updates_dir)
    with transaction(sessions) as s:
        for path in bundles.values():
            manifest, sha, size = store.add(path, public)
            service.publish_release(
                s, manifest, sha256=sha, size=size, by="test", now=datetime.now(UTC)
            )


@dataclass
class FleetNode:
    store: str
    node: str
    root: Path
    data: Path
    proc: Supervised

    @property
    def current(self) -> str | None:
        return Slots(self.root).current


def provision(tmp: Path, store: str, node: str, first: Path, public: str) -> tuple[Path, Path]:
    """A node as imaged: ``first`` installed, current and known-good; data beside, not inside."""
    root, data = (
        tmp / "nodes" / f"{store}-{node}" / "opt",
        tmp / "nodes" / f"{store}-{node}" / "data",
    )
    data.mkdir(parents=True)
    slots = Slots(root)
    manifest = slots.install(first, load_public_key(public), kind="kiosk", running=None)
    slots.switch(manifest.version)
    slots.switch(manifest.version, KNOWN_GOOD)
    return root, data


def start_node(tmp: Path, broker: MosquittoProcess, store: str, node: str, first: Path,
               key: Ed25519PrivateKey) -> FleetNode:  # fmt: skip
    public = public_key_text(key)
    root, data = provision(tmp, store, node, first, public)
    args = ["--root", str(root), "--data", str(data), "--store", store, "--node", node,
            "--url", broker.url, "--key", public, "--period", "2.0", "--trial", "12"]  # fmt: skip
    proc = Supervised(root, "updnode", args, data / "node.log")
    proc.start()
    return FleetNode(store, node, root, data, proc)


@contextmanager
def cloud_http(settings: CloudSettings, engine: object) -> Iterator[str]:
    port = free_port()
    app = create_app(settings, engine=engine)  # type: ignore[arg-type]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", port, 20)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def ingest_worker(tmp: Path, broker: MosquittoProcess, db_url: str) -> Iterator[None]:
    env = {
        **os.environ,
        "SMARTSTORE_DATABASE_URL": db_url,
        "SMARTSTORE_MQTT_URL": broker.url,
        "SMARTSTORE_MQTT_CLIENT_ID": "updates-ingest",
        "SMARTSTORE_DEVICE_TIMEOUT_S": "3600",
    }
    log = tmp / "ingest.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "smartstore", "cloud", "ingest"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"),
    )  # fmt: skip
    try:
        wait(lambda: "ingest connected" in log.read_text(errors="replace"), 60, "ingest up")
        yield
    finally:
        proc.terminate()
        proc.wait(15)


def wait(check: Callable[[], object], timeout: float, what: str) -> float:
    """Seconds it took (for the figures); AssertionError after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if check():
            return round(time.monotonic() - started, 1)
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s: {what}")
