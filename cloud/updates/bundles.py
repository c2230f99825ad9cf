"""Published bundle files under ``<updates_dir>/bundles/<version>.tar``.

Publishing checks the signature with the fleet's public key (``<updates_dir>/signing.pub``)
and every file's hash, as a node will, before anything is stored, so the cloud never offers
nodes a bundle they will refuse; the file's SHA-256 and size go into the release row and
into every ``cmd/update``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from cloud.updates.exceptions import UpdateError
from contracts.bundles import (
    VERSION_RE,
    BundleError,
    Manifest,
    load_public_key,
    sha256_file,
    verify_bundle,
)

PUBLIC_KEY_FILE = "signing.pub"


class BundleStore:
    def __init__(self, directory: Path) -> None:
        self.root = Path(directory)
        self.bundles = self.root / "bundles"

    def public_key_text(self) -> str:
        path = self.root / PUBLIC_KEY_FILE
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UpdateError(f"no fleet update key at {path}: {exc}") from exc

    def add(self, bundle: Path, public_key: str | None = None) -> tuple[Manifest, str, int]:
        """Check ``bundle``'s signature and copy it in; (manifest, sha256, size)."""
        key = load_public_key(public_key or self.public_key_text())
        try:
            with tempfile.TemporaryDirectory() as scratch:
                manifest = verify_bundle(bundle, key, Path(scratch) / "check")
        except BundleError as exc:
            raise UpdateError(f"{bundle}: {exc}") from exc
        target = self.path(manifest.version)
        if target.exists() and sha256_file(target) != sha256_file(bundle):
            raise UpdateError(f"{manifest.version} is already published with other bytes")
        self.bundles.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(bundle, tmp)
        os.replace(tmp, target)
        return manifest, sha256_file(target), target.stat().st_size

    def path(self, version: str) -> Path:
        if not re.match(VERSION_RE, version):
            raise UpdateError(f"malformed version {version!r}")
        return self.bundles / f"{version}.tar"
