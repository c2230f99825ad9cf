"""The update acceptance test's fleet: bundles, node roots, supervised node processes, the cloud.

Real parts: bundles from ``cloud.updates.build`` (real ``contracts`` and ``edge`` packages
and the light node ``simulators/updnode.py``, a tiny local wheel; :mod:`simulators.updates`),
published through ``BundleStore`` and ``service.publish_release``, served by the real cloud
app (uvicorn) with Range; nodes installed by ``edge.updates.slots``; each node a process
under the supervisor double (guard, restart); orders sent by ``RolloutDriver`` over
Mosquitto; reports applied by a ``smartstore cloud ingest`` worker process on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from cloud.main import create_app
from cloud.settings import CloudSettings
from cloud.updates.build import public_key_text
from edge.updates.slots import Slots
from simulators import updates
from simulators.supervisor import Supervised
from tests.support.services import MosquittoProcess, free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
build_versions = updates.build_versions


def publish(settings: CloudSettings, sessions: sessionmaker[Session], bundles: dict[str, Path],
            public: str) -> None:  # fmt: skip
    updates.publish(settings.updates_dir, sessions, bundles, public)


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


def start_node(tmp: Path, broker: MosquittoProcess, store: str, node: str, first: Path,
               key: Ed25519PrivateKey) -> FleetNode:  # fmt: skip
    public = public_key_text(key)
    root, data = updates.provision(tmp, store, node, first, public)
    proc = updates.supervise(root, data, store, node, broker.url, public)
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
