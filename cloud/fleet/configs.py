"""Versioned node configs kept by the cloud and pushed to nodes as ``cmd/config``.

Each save is a new version ``{n}-{sha8}`` (sequence number and content hash), stored as JSON
under ``<fleet dir>/configs/{store}/{node}/``. The cloud checks only the shape (a mapping whose
identity is the target node): the node validates against its own model and answers with
``ok: false`` and the reason, or rolls back if applying fails (edge/remote_config.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cloud.fleet.commands import CommandDispatcher, TrackedCommand
from cloud.fleet.exceptions import RemoteConfigError
from cloud.fleet.registry import atomic_write
from contracts.topics import validate_id


class ConfigStore:
    def __init__(self, directory: Path) -> None:
        self.root = directory / "configs"

    def _dir(self, store: str, node: str) -> Path:
        return self.root / validate_id(store, "store") / validate_id(node, "node")

    def save(self, store: str, node: str, config: dict[str, Any]) -> str:
        """Store a new version (or return the latest one if the content is unchanged)."""
        folder = self._dir(store, node)
        if not isinstance(config, dict):
            raise RemoteConfigError("a node config must be a mapping")
        identity = config.get("identity")
        if identity != {"store": store, "node": node}:
            raise RemoteConfigError(f"config identity {identity!r} is not {store}/{node}")
        canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:8]
        versions = self.versions(store, node)
        if versions and versions[-1].endswith(f"-{digest}"):
            return versions[-1]
        version = f"{len(versions) + 1}-{digest}"
        atomic_write(folder / f"{version}.json", canonical + "\n", mode=0o600)
        return version

    def versions(self, store: str, node: str) -> list[str]:
        folder = self._dir(store, node)
        if not folder.is_dir():
            return []
        names = [p.stem for p in folder.glob("*.json")]
        return sorted(names, key=lambda v: int(v.split("-", 1)[0]))

    def get(self, store: str, node: str, version: str | None = None) -> tuple[str, dict[str, Any]]:
        versions = self.versions(store, node)
        if not versions:
            raise RemoteConfigError(f"no config saved for {store}/{node}")
        chosen = version or versions[-1]
        if chosen not in versions:
            raise RemoteConfigError(f"{store}/{node} has no config version {chosen!r}")
        path = self._dir(store, node) / f"{chosen}.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return chosen, data


def push_config(
    dispatcher: CommandDispatcher,
    configs: ConfigStore,
    store: str,
    node: str,
    *,
    version: str | None = None,
    timeout_s: float = 30.0,
    issued_by: str | None = None,
) -> TrackedCommand:
    """Send a stored version (the latest by default) and wait for the node's verdict."""
    chosen, config = configs.get(store, node, version)
    return dispatcher.run(
        store,
        node,
        "config",
        {"version": chosen, "config": config},
        timeout_s=timeout_s,
        issued_by=issued_by,
    )
