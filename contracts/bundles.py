"""Software update bundles: the manifest, its Ed25519 signature, and checking a bundle.

A bundle is one plain tar file (one file, so a download can resume with ``Range``):

    manifest.json   the :class:`Manifest`, canonical JSON (sorted keys, no spaces)
    manifest.sig    the Ed25519 signature of exactly those bytes (64 raw bytes)
    app/...         the node's code (contracts, edge, kiosk, shelf_sensors, smartstore)
    wheels/...      the pinned dependency wheels, gathered at build time

The cloud signs (``cloud.updates.build``); the node checks (:func:`verify_bundle`) before it
extracts anything into a version directory. The signature covers the manifest, the manifest
covers every file by SHA-256, and a file the manifest does not list is refused, so one
signature check plus one hash per file is the whole proof. Both sides share this module so
the format has one definition.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tarfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = 1
VERSION_RE = r"^\d{1,6}(\.\d{1,6}){1,3}$"
NODE_KINDS = ("kiosk", "shelf")
CHUNK = 1 << 16

Version = Annotated[str, StringConstraints(pattern=VERSION_RE)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class BundleError(Exception):
    """A bundle was refused; the message is the reason reported to the cloud."""


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: Sha256
    size: int = Field(ge=0)


class Manifest(BaseModel):
    """What a bundle holds and where it may be installed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = Field(default=FORMAT, description="Bundle format; a node refuses newer ones")
    version: Version = Field(description="Software version, dotted numbers (1.4.2)")
    node_kinds: list[str] = Field(min_length=1, description="Node kinds it may run on")
    min_version: Version | None = Field(
        default=None, description="Oldest version it may replace (older ones update in steps)"
    )
    created_at: datetime
    python: str = Field(description="Python the wheels were gathered for, e.g. cp311")
    platform: str = Field(description="Wheel platform tag, e.g. manylinux_2_36_aarch64")
    files: dict[str, FileEntry] = Field(description="Relative path → SHA-256 and size")

    def canonical(self) -> bytes:
        """The exact bytes that are signed."""
        data = self.model_dump(mode="json")
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    @property
    def wheels(self) -> list[str]:
        return sorted(p.removeprefix("wheels/") for p in self.files if p.startswith("wheels/"))


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.0"`` → (1, 10, 0, 0): compare versions as numbers, not strings."""
    if not re.match(VERSION_RE, version):
        raise BundleError(f"malformed version {version!r}")
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (4 - len(parts))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def load_public_key(text: str) -> Ed25519PublicKey:
    """The node's key as provisioned: base64 of the 32 raw bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise BundleError(f"update public key is not base64 of 32 bytes: {exc}") from exc


def safe_member(name: str) -> PurePosixPath:
    """A tar member name that stays inside the target directory, or BundleError."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BundleError(f"unsafe path in bundle: {name!r}")
    return path


def read_manifest(bundle: Path, public_key: Ed25519PublicKey) -> Manifest:
    """Check the signature and parse the manifest, without extracting anything else."""
    try:
        with tarfile.open(bundle, "r:") as tar:
            manifest_bytes = _member_bytes(tar, MANIFEST)
            signature = _member_bytes(tar, SIGNATURE)
    except (tarfile.TarError, OSError) as exc:
        raise BundleError(f"not a readable bundle: {exc}") from exc
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature as exc:
        raise BundleError(
            "bad signature: the manifest was not signed by this fleet's update key"
        ) from exc
    try:
        manifest = Manifest.model_validate_json(manifest_bytes)
    except ValidationError as exc:
        raise BundleError(f"manifest refused: {exc.errors()[0]['msg']}") from exc
    if manifest.format > FORMAT:
        raise BundleError(f"bundle format {manifest.format} is newer than this node reads")
    return manifest


def _member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BundleError(f"bundle has no {name}") from exc
    fh = tar.extractfile(member) if member.isfile() else None
    if fh is None:
        raise BundleError(f"{name} is not a regular file")
    return fh.read()


def verify_bundle(bundle: Path, public_key: Ed25519PublicKey, into: Path) -> Manifest:
    """Check the signature, extract into ``into`` (which must not exist), check every file.

    On any refusal ``into`` may hold partial files: the caller extracts into a staging
    directory and removes it (edge.updates.slots does).
    """
    manifest = read_manifest(bundle, public_key)
    into.mkdir(parents=True)
    seen: set[str] = set()
    with tarfile.open(bundle, "r:") as tar:
        for member in _members(tar):
            name = str(safe_member(member.name))
            if name in (MANIFEST, SIGNATURE):
                continue
            entry = manifest.files.get(name)
            if entry is None:
                raise BundleError(f"{name}: not listed in the signed manifest")
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # _members yields regular files only
            digest = _copy_hashing(source, target)
            if digest != entry.sha256:
                raise BundleError(f"{name}: SHA-256 differs from the signed manifest (changed)")
            seen.add(name)
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise BundleError(f"{missing[0]}: listed in the manifest but missing from the bundle")
    (into / MANIFEST).write_bytes(manifest.canonical())
    return manifest


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in tar:
        if member.isdir():
            safe_member(member.name)
            continue
        if not member.isfile():
            raise BundleError(f"{member.name}: links and devices are not allowed in a bundle")
        yield member


def _copy_hashing(source: IO[bytes], target: Path) -> str:
    digest = hashlib.sha256()
    read = source.read
    with target.open("wb") as out:
        for block in iter(lambda: read(CHUNK), b""):
            digest.update(block)
            out.write(block)
    return str(digest.hexdigest())
