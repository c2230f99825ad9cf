"""Node versions for an update run: light-kiosk bundles built, signed and published for real.

Shared by the update acceptance test (``tests/reliability``) and the fault fleet's bad-update
fault (:mod:`simulators.badupdate`). A version's source tree is the real ``contracts`` and
``edge`` packages beside ``updnode`` (:mod:`simulators.updnode`, the light kiosk); a broken
version loses the line that starts its link, so its self-test never sees the broker. The
bundles are built and signed by ``cloud.updates.build``, published through ``BundleStore``
and ``service.publish_release``; a node is installed by ``edge.updates.slots`` and runs under
:class:`simulators.supervisor.Supervised` (boot guard, restart), from its version directory.
Imports of ``cloud`` happen inside functions, as in :mod:`simulators.cloud`.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from edge.updates.slots import KNOWN_GOOD, Slots
from simulators.supervisor import Supervised

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy.orm import Session, sessionmaker

REPO = Path(__file__).resolve().parents[1]
NODE_SOURCE = Path(__file__).with_name("updnode.py")
PACKAGES = ("contracts", "edge", "updnode")
BUG = ("Runtime([link, seller, agent]).run()", "Runtime([seller, agent]).run()")
"""A broken version's bug: the node never starts its link, so its self-test never passes."""


def tiny_wheel(wheelhouse: Path, name: str = "tinydep", version: str = "1.0") -> Path:
    """A real wheel (zip with dist-info, WHEEL and RECORD): the installer unpacks what pip
    would, without the network."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VALUE = "{name} {version}"\n',
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    out = wheelhouse / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)
    return out


def source_tree(tmp: Path, version: str, broken: bool = False) -> Path:
    root = tmp / f"src-{version}"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("contracts", "edge"):
        shutil.copytree(REPO / package, root / package, ignore=ignore)
    (root / "updnode").mkdir()
    (root / "updnode" / "__init__.py").write_text(f'"""Light node {version}."""\n')
    text = NODE_SOURCE.read_text()
    if broken:
        if BUG[0] not in text:
            raise RuntimeError(f"{NODE_SOURCE} no longer has the line the broken version drops")
        text = text.replace(*BUG)
    (root / "updnode" / "__main__.py").write_text(text)
    return root


def build_versions(tmp: Path, key: Ed25519PrivateKey, versions: dict[str, bool]) -> dict[str, Path]:
    """``{version: broken}`` → bundle files, built and signed by the real build code."""
    from cloud.updates.build import build_bundle

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


def publish(updates_dir: Path, sessions: sessionmaker[Session], bundles: dict[str, Path],
            public: str) -> None:  # fmt: skip
    """Each bundle into the cloud's bundle store, and its release published."""
    from datetime import UTC, datetime

    from cloud.db.session import transaction
    from cloud.updates import service
    from cloud.updates.bundles import BundleStore

    store = BundleStore(updates_dir)
    with transaction(sessions) as s:
        for path in bundles.values():
            manifest, sha, size = store.add(path, public)
            service.publish_release(
                s, manifest, sha256=sha, size=size, by="simulator", now=datetime.now(UTC)
            )


def provision(tmp: Path, store: str, node: str, first: Path, public: str) -> tuple[Path, Path]:
    """A node as imaged: ``first`` installed, current and known-good; data beside, not inside."""
    from contracts.bundles import load_public_key

    base = tmp / "nodes" / f"{store}-{node}"
    root, data = base / "opt", base / "data"
    data.mkdir(parents=True)
    slots = Slots(root)
    manifest = slots.install(first, load_public_key(public), kind="kiosk", running=None)
    slots.switch(manifest.version)
    slots.switch(manifest.version, KNOWN_GOOD)
    return root, data


def supervise(root: Path, data: Path, store: str, node: str, broker_url: str, public: str,
              *, period: float = 2.0, trial: float = 12.0) -> Supervised:  # fmt: skip
    """The light kiosk under the unit double, started from the version ``current`` names."""
    args = ["--root", str(root), "--data", str(data), "--store", store, "--node", node,
            "--url", broker_url, "--key", public, "--period", str(period),
            "--trial", str(trial)]  # fmt: skip
    proc = Supervised(root, "updnode", args, data / "node.log")
    proc.start()
    return proc
