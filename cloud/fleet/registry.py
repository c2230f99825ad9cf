"""The fleet registry: one JSON file of issued credentials, written atomically under a lock.

A file, not database tables: the broker reads files anyway, the registry is small (one row per
node), and provisioning must work on the broker host before the cloud database exists
(docs/decisions/0110-fleet-credentials-in-files.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloud.fleet.exceptions import FleetError

REGISTRY_NAME = "fleet.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NodeRecord(_Strict):
    store: str = Field(description="Store id")
    node: str = Field(description="Node id")
    kind: str = Field(default="kiosk", description="kiosk, shelf or other")
    password_hash: str = Field(description="Mosquitto $7$ hash")
    issued_at: datetime = Field(description="When the current password was issued")
    revoked_at: datetime | None = Field(default=None, description="Set when revoked")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ServiceRecord(_Strict):
    password_hash: str = Field(description="Mosquitto $7$ hash")
    issued_at: datetime = Field(description="When the current password was issued")


class RegistryData(_Strict):
    version: int = Field(default=1, description="File format version")
    nodes: dict[str, NodeRecord] = Field(default_factory=dict, description="By store/node")
    services: dict[str, ServiceRecord] = Field(default_factory=dict, description="By username")
    broker_admin: ServiceRecord | None = Field(
        default=None, description="The fleet's dynamic-security admin on the nodes' listener"
    )


def atomic_write(path: Path, text: str, mode: int = 0o640) -> None:
    """Write beside the target, fsync, rename over it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _give_to_broker_group(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _give_to_broker_group(path: Path) -> None:
    """Mosquitto drops root for its own user: let its group read the files when we can."""
    try:
        import grp

        gid = grp.getgrnam("mosquitto").gr_gid
        os.chown(path, -1, gid)
    except (KeyError, PermissionError, ImportError):
        pass


class Registry:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.path = directory / REGISTRY_NAME

    @contextlib.contextmanager
    def locked(self) -> Iterator[RegistryData]:
        """Load, let the caller change, save: one writer at a time across processes."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".fleet.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self.load()
                yield data
                atomic_write(self.path, data.model_dump_json(indent=2) + "\n", mode=0o600)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def load(self) -> RegistryData:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return RegistryData()
        try:
            return RegistryData.model_validate_json(raw)
        except ValidationError as exc:
            raise FleetError(f"{self.path}: corrupt fleet registry: {exc}") from exc
