"""Build and sign an update bundle (format in contracts.bundles).

The node never builds or downloads anything from a package index: the wheels are gathered
here, at build time, for the node's platform (``pip download --only-binary=:all:
--platform … -r requirements.lock -d wheelhouse`` on the build machine, or a CI artefact) and
the build only copies a given wheelhouse. So a Pi installs offline from its own bundle.
"""

from __future__ import annotations

import base64
import io
import os
import tarfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.updates.exceptions import UpdateError
from contracts.bundles import (
    MANIFEST,
    NODE_KINDS,
    SIGNATURE,
    FileEntry,
    Manifest,
    sha256_file,
)

NODE_PACKAGES = ("contracts", "edge", "kiosk", "shelf_sensors", "smartstore")
SKIP_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def generate_key(directory: Path) -> tuple[Path, str]:
    """A new Ed25519 key pair: ``signing.key`` (PEM, 0600) and the public key as base64."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / "signing.key"
    if key_path.exists():
        raise UpdateError(f"{key_path} exists; refusing to overwrite a signing key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = public_key_text(key)
    (directory / "signing.pub").write_text(public + "\n", encoding="utf-8")
    return key_path, public


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UpdateError(f"cannot read signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UpdateError(f"{path} is not an Ed25519 key")
    return key


def collect_files(
    source: Path, wheelhouse: Path | None, packages: Iterable[str] = NODE_PACKAGES
) -> dict[str, Path]:
    """Bundle path → file on disk: the node packages under ``app/``, wheels under ``wheels/``."""
    files: dict[str, Path] = {}
    for package in packages:
        root = source / package
        if not root.is_dir():
            raise UpdateError(f"{root} is not a directory (is --source the repository?)")
        for path in sorted(root.rglob("*")):
            if path.is_file() and not SKIP_PARTS & set(path.parts) and path.suffix != ".pyc":
                files[f"app/{path.relative_to(source).as_posix()}"] = path
    if wheelhouse is not None:
        wheels = sorted(wheelhouse.glob("*.whl"))
        if not wheels:
            raise UpdateError(f"no wheels in {wheelhouse}")
        for wheel in wheels:
            files[f"wheels/{wheel.name}"] = wheel
    return files


def build_bundle(
    *,
    version: str,
    source: Path,
    wheelhouse: Path | None,
    key: Ed25519PrivateKey,
    out: Path,
    node_kinds: Iterable[str] = NODE_KINDS,
    min_version: str | None = None,
    python: str = "cp311",
    platform: str = "any",
    packages: Iterable[str] = NODE_PACKAGES,
) -> Manifest:
    """Write ``out`` (a tar) with the signed manifest first, then every file it lists."""
    files = collect_files(source, wheelhouse, packages)
    kinds = sorted(set(node_kinds))
    unknown = set(kinds) - set(NODE_KINDS)
    if unknown:
        raise UpdateError(f"unknown node kinds {sorted(unknown)}; known: {list(NODE_KINDS)}")
    manifest = Manifest(
        version=version,
        node_kinds=kinds,
        min_version=min_version,
        created_at=datetime.now(UTC).replace(microsecond=0),
        python=python,
        platform=platform,
        files={
            name: FileEntry(sha256=sha256_file(p), size=p.stat().st_size)
            for name, p in files.items()
        },
    )
    body = manifest.canonical()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tarfile.open(tmp, "w:", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, MANIFEST, body)
        _add_bytes(tar, SIGNATURE, key.sign(body))
        for name, path in files.items():
            tar.add(path, arcname=name, recursive=False, filter=_plain)
    os.replace(tmp, out)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner names or times from the build machine: a rebuild differs only by its manifest."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    info.mode = 0o644
    return info
