"""Versioned install directories on the node and the two symlinks that choose between them.

    <root>/versions/<version>/   manifest.json, app/ (node code), site/ (installed wheels)
    <root>/current    -> versions/<v>   what systemd starts (PYTHONPATH=current/app:current/site)
    <root>/known-good -> versions/<v>   the last version that passed its self-test
    <root>/update-state.json            the update in progress (edge.updates.state)

A new version is verified and installed beside the running one, so switching is one atomic
``rename`` of a symlink and switching back is the same. The node's data (outbox, config,
calibration) lives elsewhere (/var/lib/smartstore) and is never inside a version directory.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contracts.bundles import BundleError, Manifest, read_manifest, verify_bundle, version_key

log = logging.getLogger(__name__)

CURRENT = "current"
KNOWN_GOOD = "known-good"
KEEP_VERSIONS = 3


class Slots:
    """The version directories under ``root``; every change is a rename or a symlink swap."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.versions = self.root / "versions"

    def version_of(self, link: str) -> str | None:
        path = self.root / link
        if not path.is_symlink():
            return None
        return Path(os.readlink(path)).name

    @property
    def current(self) -> str | None:
        return self.version_of(CURRENT)

    @property
    def known_good(self) -> str | None:
        return self.version_of(KNOWN_GOOD)

    def installed(self) -> list[str]:
        if not self.versions.is_dir():
            return []
        names = [p.name for p in self.versions.iterdir() if p.is_dir() and "." in p.name]
        return sorted((n for n in names if not n.startswith(".")), key=version_key)

    def path(self, version: str) -> Path:
        return self.versions / version

    def install(
        self, bundle: Path, public_key: Ed25519PublicKey, *, kind: str, running: str | None
    ) -> Manifest:
        """Verify ``bundle`` and install it as ``versions/<version>``; BundleError says why not.

        Idempotent: a version already installed is checked against the bundle's manifest and
        kept. Nothing is switched here.
        """
        manifest = read_manifest(bundle, public_key)
        check_fits(manifest, kind=kind, running=running)
        target = self.path(manifest.version)
        if target.is_dir():
            on_disk = Manifest.model_validate_json((target / "manifest.json").read_bytes())
            if on_disk.canonical() != manifest.canonical():
                raise BundleError(f"version {manifest.version} is installed with other files")
            return manifest
        staging = self.versions / f".staging-{manifest.version}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            verify_bundle(bundle, public_key, staging)
            install_wheels(staging / "wheels", staging / "site")
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        log.info("installed %s in %s", manifest.version, target)
        return manifest

    def switch(self, version: str, link: str = CURRENT) -> None:
        """Point ``link`` at ``versions/<version>`` atomically (symlink + rename)."""
        if not self.path(version).is_dir():
            raise BundleError(f"version {version} is not installed")
        tmp = self.root / f".{link}.new"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(Path("versions") / version, tmp)
        os.replace(tmp, self.root / link)
        _fsync_dir(self.root)

    def prune(self) -> list[str]:
        """Remove old versions, keeping ``current``, ``known-good`` and the newest few."""
        keep = {self.current, self.known_good, *self.installed()[-KEEP_VERSIONS:]}
        removed = [v for v in self.installed() if v not in keep]
        for version in removed:
            shutil.rmtree(self.path(version), ignore_errors=True)
        return removed


def check_fits(manifest: Manifest, *, kind: str, running: str | None) -> None:
    if kind not in manifest.node_kinds:
        raise BundleError(f"bundle {manifest.version} is for {manifest.node_kinds}, not {kind}")
    if (
        manifest.min_version
        and running
        and version_key(running) < version_key(manifest.min_version)
    ):
        raise BundleError(
            f"bundle {manifest.version} needs at least {manifest.min_version}; "
            f"this node runs {running}"
        )


def install_wheels(wheels: Path, site: Path) -> list[str]:
    """Unpack each wheel into ``site`` (what an installer does for purelib/platlib wheels).

    No pip and no index on the node: the wheels were chosen and pinned at build time, and the
    node only needs them importable from ``site`` (it runs ``python -m smartstore``, so no
    console scripts are made). A wheel with other ``.data`` parts (headers, scripts) is
    refused rather than half installed.
    """
    site.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in wheels.glob("*.whl")) if wheels.is_dir() else []
    for name in names:
        with zipfile.ZipFile(wheels / name) as whl:
            for info in whl.infolist():
                dest = _wheel_target(info.filename, name)
                if dest is None or info.is_dir():
                    continue
                out = site / dest
                out.parent.mkdir(parents=True, exist_ok=True)
                with whl.open(info) as src, out.open("wb") as fh:
                    shutil.copyfileobj(src, fh)
    return names


def _wheel_target(member: str, wheel: str) -> PurePosixPath | None:
    path = PurePosixPath(member)
    if path.is_absolute() or ".." in path.parts:
        raise BundleError(f"{wheel}: unsafe path {member!r}")
    if path.parts and path.parts[0].endswith(".data"):
        if len(path.parts) > 1 and path.parts[1] in ("purelib", "platlib"):
            return PurePosixPath(*path.parts[2:])
        raise BundleError(f"{wheel}: {path.parts[1]} files are not installed on a node")
    return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
