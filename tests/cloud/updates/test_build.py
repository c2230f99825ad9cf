"""Signed bundles: what the build writes, and every way a tampered bundle is refused."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.updates.build import build_bundle, generate_key, load_signing_key, public_key_text
from cloud.updates.exceptions import UpdateError
from contracts.bundles import BundleError, load_public_key, read_manifest, verify_bundle
from tests.support.bundles import node_source, rewrite_bundle, tiny_wheel


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Ed25519PrivateKey]:
    key_path, _ = generate_key(tmp_path / "keys")
    key = load_signing_key(key_path)
    source = node_source(tmp_path / "src", "1.1.0", {"edge/link.py": "LINK = 1\n"})
    wheels = tmp_path / "wheels"
    tiny_wheel(wheels)
    bundle = tmp_path / "node-1.1.0.tar"
    build_bundle(
        version="1.1.0",
        source=source,
        wheelhouse=wheels,
        key=key,
        out=bundle,
        min_version="1.0.0",
    )
    return bundle, key


def _public(key: Ed25519PrivateKey):  # type: ignore[no-untyped-def]
    return load_public_key(public_key_text(key))


def test_build_writes_a_signed_manifest_covering_every_file(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    bundle, key = signed
    manifest = verify_bundle(bundle, _public(key), tmp_path / "out")
    assert manifest.version == "1.1.0"
    assert manifest.min_version == "1.0.0"
    assert manifest.node_kinds == ["kiosk", "shelf"]
    assert manifest.wheels == ["tinydep-1.0-py3-none-any.whl"]
    assert "app/edge/link.py" in manifest.files
    assert (tmp_path / "out" / "app" / "edge" / "link.py").read_text() == "LINK = 1\n"
    with tarfile.open(bundle) as tar:
        assert tar.getnames()[:2] == ["manifest.json", "manifest.sig"]


def test_a_key_is_never_overwritten(tmp_path: Path) -> None:
    generate_key(tmp_path)
    with pytest.raises(UpdateError, match="refusing to overwrite"):
        generate_key(tmp_path)
    assert (tmp_path / "signing.key").stat().st_mode & 0o777 == 0o600


def test_bundle_signed_by_another_key_is_refused(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    bundle, _ = signed
    stranger = load_public_key(public_key_text(Ed25519PrivateKey.generate()))
    with pytest.raises(BundleError, match="bad signature"):
        verify_bundle(bundle, stranger, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_changed_file_is_refused_with_its_name(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    bundle, key = signed
    bad = rewrite_bundle(bundle, tmp_path / "bad.tar", {"app/edge/link.py": b"LINK = 666\n"})
    with pytest.raises(BundleError, match=r"app/edge/link.py: SHA-256 differs"):
        verify_bundle(bad, _public(key), tmp_path / "out")


def test_edited_manifest_breaks_the_signature(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    bundle, key = signed
    with tarfile.open(bundle) as tar:
        fh = tar.extractfile("manifest.json")
        assert fh is not None
        data = json.loads(fh.read())
    data["min_version"] = None
    edited = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    bad = rewrite_bundle(bundle, tmp_path / "bad.tar", {"manifest.json": edited})
    with pytest.raises(BundleError, match="bad signature"):
        read_manifest(bad, _public(key))


@pytest.mark.parametrize(
    ("name", "reason"),
    [("app/edge/extra.py", "not listed in the signed manifest"), ("../evil.py", "unsafe path")],
)
def test_added_or_escaping_file_is_refused(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path, name: str, reason: str
) -> None:
    bundle, key = signed
    bad = rewrite_bundle(bundle, tmp_path / "bad.tar", {name: b"import os\n"})
    with pytest.raises(BundleError, match=reason):
        verify_bundle(bad, _public(key), tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_truncated_bundle_is_refused(
    signed: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    bundle, key = signed
    cut = tmp_path / "cut.tar"
    cut.write_bytes(bundle.read_bytes()[:2048])
    with pytest.raises(BundleError):
        verify_bundle(cut, _public(key), tmp_path / "out")
