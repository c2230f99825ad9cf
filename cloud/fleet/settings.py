"""Fleet settings: where the broker's password file and ACL live and how to reload it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoReload(_Strict):
    type: Literal["none"] = Field(default="none", description="Write the files only")


class SignalReload(_Strict):
    """SIGHUP the broker: Mosquitto rereads its password file and ACL without restarting."""

    type: Literal["signal"] = Field(default="signal", description="Send SIGHUP to a pid")
    pid_file: Path | None = Field(default=None, description="File holding the broker's pid")
    pid: int | None = Field(default=None, ge=1, description="The broker's pid (tests)")


class CommandReload(_Strict):
    """Run a command, e.g. ``systemctl reload mosquitto`` (Debian's unit sends SIGHUP)."""

    type: Literal["command"] = Field(default="command", description="Run a reload command")
    argv: list[str] = Field(
        default_factory=lambda: ["systemctl", "reload", "mosquitto"],
        min_length=1,
        description="Command and arguments, no shell",
    )
    timeout_s: float = Field(default=30.0, gt=0, description="Give up after this long")


ReloadConfig = Annotated[NoReload | SignalReload | CommandReload, Field(discriminator="type")]


class FleetSettings(_Strict):
    """``smartstore device …`` reads these from ``--fleet-config`` YAML or flags."""

    dir: Path = Field(
        default=Path("/etc/mosquitto/smartstore"),
        description="Fleet registry (fleet.json) and remote node configs",
    )
    password_file: Path | None = Field(
        default=None, description="Mosquitto password_file; defaults to <dir>/passwd"
    )
    acl_file: Path | None = Field(default=None, description="Mosquitto acl_file; <dir>/acl")
    reload: ReloadConfig = Field(
        default_factory=NoReload, description="How the broker learns of changes (type: …)"
    )
    iterations: int = Field(
        default=1000, ge=101, le=1_000_000, description="PBKDF2 rounds of new password hashes"
    )

    @property
    def passwd_path(self) -> Path:
        return self.password_file or self.dir / "passwd"

    @property
    def acl_path(self) -> Path:
        return self.acl_file or self.dir / "acl"
