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


class DynsecControl(_Strict):
    """Where the fleet reaches the nodes' listener to change the live broker over ``$CONTROL``
    (the dynamic-security plugin; SIGHUP does not reload it)."""

    host: str = Field(default="127.0.0.1", max_length=255, description="Broker host")
    port: int = Field(default=1883, ge=1, le=65535, description="The nodes' listener port")
    ca_file: Path | None = Field(default=None, description="CA file when the listener is TLS")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="Wait for each answer")


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
    service_password_file: Path | None = Field(
        default=None,
        description="password_file of the cloud listener (cloud-* users only); <dir>/passwd-cloud",
    )
    acl_file: Path | None = Field(default=None, description="Mosquitto acl_file; <dir>/acl")
    dynsec_file: Path | None = Field(
        default=None,
        description="The nodes' listener's plugin_opt_config_file; <dir>/dynamic-security.json",
    )
    control: DynsecControl | None = Field(
        default=None, description="Apply node changes to the running broker (revocation)"
    )
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
    def service_passwd_path(self) -> Path:
        return self.service_password_file or self.dir / "passwd-cloud"

    @property
    def acl_path(self) -> Path:
        return self.acl_file or self.dir / "acl"

    @property
    def dynsec_path(self) -> Path:
        return self.dynsec_file or self.dir / "dynamic-security.json"

    @property
    def admin_secret_path(self) -> Path:
        """The fleet admin's password (0600): the fleet logs in with it to change nodes."""
        return self.dir / "fleet-admin.secret"
