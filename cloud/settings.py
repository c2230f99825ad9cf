"""Cloud settings: pydantic-settings from a YAML file, ``SMARTSTORE_*`` env vars and flags.

Defaults are the embedded ones (SQLite file in ``./data``, broker on localhost) so
``smartstore cloud serve`` runs on a laptop with nothing else installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud.fleet.settings import FleetSettings


class CloudSettingsError(ValueError):
    """Bad cloud settings; the message names each bad field."""


class CloudSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SMARTSTORE_", extra="forbid", env_nested_delimiter="__"
    )

    database_url: str = Field(
        default="sqlite:///data/smartstore.sqlite3",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    mqtt_url: str = Field(default="mqtt://127.0.0.1:1883", description="mqtt:// or mqtts:// URL")
    mqtt_protocol: Literal["5", "3.1.1"] = Field(
        default="5", description="MQTT version; the embedded amqtt broker needs 3.1.1"
    )
    mqtt_client_id: str | None = Field(default=None, description="Defaults to a random id")
    mqtt_ca_file: Path | None = Field(
        default=None,
        description="CA that signed the broker's certificate (mqtts://); default: system store",
    )
    ingest_group: str = Field(default="ingest", description="Shared-subscription group name")
    ingest_shared: bool = Field(
        default=True, description="Use $share/{group}/… (needs MQTT 5; off for amqtt)"
    )
    secret_key: SecretStr = Field(
        default=SecretStr("dev-secret-change-me"),
        description="Signs session cookies and CSRF tokens; set it in production",
    )
    access_token_minutes: int = Field(default=30, ge=1, description="API bearer token lifetime")
    session_hours: int = Field(default=12, ge=1, description="Console session lifetime")
    lockout_failures: int = Field(default=5, ge=1, description="Failed logins before lockout")
    lockout_minutes: int = Field(default=15, ge=1, description="Lockout duration")
    reset_token_minutes: int = Field(default=30, ge=1, description="Password reset token life")
    device_timeout_s: float = Field(default=120.0, gt=0, description="Inactivity → offline")
    alert_escalate_minutes: float = Field(
        default=10.0, gt=0, description="Unacknowledged alert escalates to the manager"
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="Console base URL")
    maintenance_notice: str = Field(default="", description="Shown on the login page")
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:port")
    mail_from: str = Field(default="smartstore@localhost", description="Sender of mails")
    cookie_secure: bool = Field(default=False, description="Secure flag on cookies (HTTPS)")
    default_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    fleet: FleetSettings | None = Field(
        default=None,
        description="Node credentials registry and broker reload for the console's fleet page "
        "(SMARTSTORE_FLEET__DIR=…); unset = provisioning only from `smartstore device`",
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(path: Path | str | None = None, **overrides: Any) -> CloudSettings:
    """YAML file (optional) < environment < explicit overrides; errors name the field."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CloudSettingsError(f"{path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise CloudSettingsError(f"{path}: the top level must be a mapping")
        if not all(isinstance(key, str) for key in loaded):
            raise CloudSettingsError(f"{path}: every setting name must be a string")
        data.update(loaded)
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        # init kwargs beat env in pydantic-settings; keep file < env by passing only overrides
        env_first = CloudSettings(**{k: v for k, v in overrides.items() if v is not None})
        merged = {**data, **_explicit(env_first)}
        return CloudSettings(**merged)
    except ValidationError as exc:
        lines = [
            f"{err['loc'][0] if err['loc'] else '(root)'}: {err['msg']}" for err in exc.errors()
        ]
        raise CloudSettingsError("invalid cloud settings:\n  " + "\n  ".join(lines)) from exc


def _explicit(settings: CloudSettings) -> dict[str, Any]:
    """Fields set by env or overrides (not defaults)."""
    return {name: getattr(settings, name) for name in settings.model_fields_set}
