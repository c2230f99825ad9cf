"""Remote configuration on the node: validate a pushed config, apply it, roll back on failure.

The cloud sends ``cmd/config`` with ``{"version": str, "config": {...}}`` (the whole node
config, secrets excluded: those stay in env/files). The node

1. validates it with its own pydantic model (``extra="forbid"``) and refuses a config for
   another store/node — nothing is written for an invalid config;
2. writes it over its YAML file atomically, keeping the previous file as ``*.prev``;
3. calls ``apply`` and then the optional ``healthy`` check; if either fails, the previous file
   is put back and ``apply`` runs again with the previous config;
4. records the version beside the file and reports it (``on_version``: set
   ``Link.config_version`` and republish the retained state).

``cmd/reload_config`` rereads the file from disk with the same validation and rollback. Every
failure becomes ``ok: false`` with the reason through :class:`edge.inbound.CommandRouter`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from contracts.messages import Command
from edge.config import NodeConfig, load_config
from edge.exceptions import ConfigError, RemoteConfigError

log = logging.getLogger(__name__)

C = TypeVar("C", bound=NodeConfig)
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class RemoteConfig(Generic[C]):
    """Owns the node's config file; register its commands on the node's CommandRouter."""

    def __init__(
        self,
        path: Path,
        model: type[C],
        current: C,
        apply: Callable[[C], None],
        *,
        healthy: Callable[[C], bool] | None = None,
        on_version: Callable[[str | None], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.model = model
        self.current = current
        self._apply = apply
        self._healthy = healthy
        self._on_version = on_version
        self._lock = threading.Lock()
        self.version_path = self.path.with_name(self.path.name + ".version.json")
        self.version: str | None = self._load_version()

    # command handlers ----------------------------------------------------------------------

    def register(self, router: Any) -> None:
        """``router`` is an :class:`edge.inbound.CommandRouter`."""
        router.register("config", self.handle_push)
        router.register("reload_config", self.handle_reload)

    def handle_push(self, command: Command) -> dict[str, Any]:
        version = command.args.get("version")
        raw = command.args.get("config")
        if not isinstance(version, str) or not VERSION_RE.match(version):
            raise RemoteConfigError(f"config version missing or malformed: {version!r}")
        if not isinstance(raw, dict):
            raise RemoteConfigError("config must be a mapping")
        with self._lock:
            if version == self.version:
                return {"version": version, "changed": False}
            new = self._validate(raw)
            previous_version = self.version
            self._replace_file(raw)
            self._apply_or_roll_back(new)
            self._set_version(version)
        log.info("config %s applied (was %s)", version, previous_version)
        return {"version": version, "previous": previous_version, "changed": True}

    def handle_reload(self, command: Command) -> dict[str, Any]:
        """Reread the file (edited on the node, or restored) and apply it."""
        with self._lock:
            try:
                new = load_config(self.model, self.path, environ={})
            except ConfigError as exc:
                raise RemoteConfigError(f"config file refused: {exc}") from exc
            self._check_identity(new)
            backup = self._backup_path()
            shutil.copy2(self.path, backup)
            self._apply_or_roll_back(new)
        return {"version": self.version, "reloaded": True}

    # steps ---------------------------------------------------------------------------------

    def _validate(self, raw: dict[str, Any]) -> C:
        try:
            new = self.model.model_validate(raw)
        except ValueError as exc:
            raise RemoteConfigError(f"config refused: {exc}") from exc
        self._check_identity(new)
        return new

    def _check_identity(self, new: C) -> None:
        if new.identity != self.current.identity:
            raise RemoteConfigError(
                f"config is for {new.identity.store}/{new.identity.node}, "
                f"not {self.current.identity.store}/{self.current.identity.node}"
            )

    def _backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".prev")

    def _replace_file(self, raw: dict[str, Any]) -> None:
        if self.path.exists():
            shutil.copy2(self.path, self._backup_path())
        _atomic_write(self.path, yaml.safe_dump(raw, sort_keys=False))

    def _apply_or_roll_back(self, new: C) -> None:
        old = self.current
        try:
            self._apply(new)
            if self._healthy is not None and not self._healthy(new):
                raise RemoteConfigError("health check failed after applying")
        except Exception as exc:
            log.error("config apply failed (%s); rolling back", exc)
            backup = self._backup_path()
            if backup.exists():
                os.replace(backup, self.path)
            try:
                self._apply(old)
            except Exception:
                log.exception("re-applying the previous config failed too")
            raise RemoteConfigError(f"apply failed, rolled back: {exc}") from exc
        self.current = new

    # version bookkeeping -------------------------------------------------------------------

    def _load_version(self) -> str | None:
        try:
            data = json.loads(self.version_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        return version if isinstance(version, str) else None

    def _set_version(self, version: str) -> None:
        _atomic_write(self.version_path, json.dumps({"version": version}) + "\n")
        self.version = version
        if self._on_version is not None:
            try:
                self._on_version(version)
            except Exception:
                log.exception("reporting config version %s failed", version)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def report_version_on(link: Any) -> Callable[[str | None], None]:
    """``on_version`` for an :class:`edge.link.Link`: state carries the new config version."""
    from contracts.codec import encode
    from contracts.topics import state_topic

    def report(version: str | None) -> None:
        link.config_version = version
        topic = state_topic(link.identity.store, link.identity.node)
        link.publish_now(topic, encode(link.node_state(online=True)), retain=True)

    return report
