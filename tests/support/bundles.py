"""Tiny update-bundle inputs for tests: a node source tree and a local wheelhouse (no network).

``tiny_wheel`` (from :mod:`simulators.updates`) writes a real wheel so the node's installer
unpacks what pip would; ``node_source`` writes the five node packages a bundle
carries, each with a ``VERSION`` the test can read back from the installed directory.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from cloud.updates.build import NODE_PACKAGES
from simulators.updates import tiny_wheel

__all__ = ["node_source", "rewrite_bundle", "tiny_wheel"]


def node_source(root: Path, version: str, extra: dict[str, str] | None = None) -> Path:
    """The node packages as a bundle build reads them; ``extra`` adds or replaces files."""
    for package in NODE_PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text(f'"""{package} {version}."""\n')
    (root / "smartstore" / "VERSION").write_text(version + "\n")
    for rel, text in (extra or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def rewrite_bundle(bundle: Path, out: Path, replace: dict[str, bytes]) -> Path:
    """Copy a bundle's tar with some members' bytes replaced or added (tampering)."""
    import io

    with tarfile.open(bundle, "r:") as src, tarfile.open(out, "w:") as dst:
        names = set()
        for member in src:
            names.add(member.name)
            data = replace.get(member.name)
            if data is None:
                fh = src.extractfile(member)
                dst.addfile(member, fh)
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        for name, data in replace.items():
            if name not in names:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))
    return out
