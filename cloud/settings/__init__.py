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

from cloud.settings.fleet import FleetSettings

DEFAULT_SECRET_KEY = "dev-secret-change-me"  # noqa: S105 (the key `cloud serve` refuses)
MIN_SECRET_KEY = 32


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
    mqtt_protocol: Literal["auto", "5", "3.1.1"] = Field(
        default="auto",
        description="MQTT version; auto asks the broker for 5 and falls back to 3.1.1 (amqtt)",
    )
    mqtt_client_id: str | None = Field(default=None, description="Defaults to a random id")
    mqtt_ca_file: Path | None = Field(
        default=None,
        description="CA that signed the broker's certificate (mqtts://); default: system store",
    )
    ingest_group: str = Field(default="ingest", description="Shared-subscription group name")
    ingest_shared: bool = Field(
        default=True,
        description="Use $share/{group}/… (needs MQTT 5: off when the broker speaks only 3.1.1)",
    )
    ingest_max_message_bytes: int = Field(
        default=512 * 1024,
        ge=1024,
        description="Largest event payload ingest parses; larger ones are dead letters",
    )
    ingest_max_depth: int = Field(
        default=32, ge=4, le=500, description="Deepest JSON nesting ingest parses"
    )
    ingest_max_future_skew_s: float = Field(
        default=300.0, ge=0, description="How far in the future ts/completed_at may be"
    )
    ingest_max_extra_bytes: int = Field(
        default=8 * 1024, ge=0, description="Budget for unknown fields in one event"
    )
    ingest_lean_decode: bool = Field(
        default=True,
        description="Decode MQTT 5 PUBLISH packets without properties in smartstore's own code "
        "(a third of the network thread's time, decision 0260); false: paho's decoder",
    )
    ingest_ledger_path: Path | None = Field(
        default=None,
        description="File counting the messages a worker died on (one per worker); "
        "none: counted in memory only",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET_KEY),
        description="Signs CSRF tokens; at least 32 characters: `cloud serve` refuses the "
        "default or a shorter key outside demo mode",
    )
    demo: bool = Field(
        default=False,
        description="Demo/development mode: the default secret_key is accepted (never in "
        "production)",
    )
    access_token_minutes: int = Field(default=30, ge=1, description="API bearer token lifetime")
    session_hours: int = Field(default=12, ge=1, description="Console session lifetime")
    lockout_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins for one username from one client address before that pair "
        "must wait (1, 2, 4 … minutes, up to lockout_minutes)",
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="Longest wait, and the window the other limits count in"
    )
    address_failures: int = Field(
        default=30,
        ge=1,
        description="Failed logins from one client address (any username) within "
        "lockout_minutes before that address must wait out the window",
    )
    account_lock_failures: int = Field(
        default=50,
        ge=1,
        description="Failed logins for one username from all addresses within lockout_minutes "
        "that lock the account for addresses it never logged in from (a correct password from "
        "a known address, a reset link or an admin's unlock still pass)",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (IPs or networks) whose X-Forwarded-For/-Proto give the "
        "client address and scheme; empty = trust no forwarded header",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Other origins (scheme://host[:port]) allowed to send unsafe requests "
        "from a browser, besides public_url and the request's own host",
    )
    reset_token_minutes: int = Field(default=30, ge=1, description="Password reset token life")
    reset_per_user_per_hour: int = Field(
        default=3, ge=1, description="Reset mails one user can receive per hour"
    )
    reset_per_address_per_hour: int = Field(
        default=10, ge=1, description="Reset requests one client address can make per hour"
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest API request body (413 above it)"
    )
    max_upload_bytes: int = Field(
        default=4_000_000,
        ge=1024,
        description="Largest console form body (413 above it); the CSV import and a product "
        "image (2 MB each) fit",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to GET /metrics; unset = /metrics answers "
        "404 on the API (use `cloud serve --metrics-port` for a separate listen address)",
    )
    hsts_seconds: int = Field(
        default=31_536_000, ge=0, description="Strict-Transport-Security max-age on HTTPS"
    )
    device_timeout_s: float = Field(default=120.0, gt=0, description="Inactivity → offline")
    alert_escalate_minutes: float = Field(
        default=10.0, gt=0, description="Unacknowledged alert escalates to the manager"
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="Console base URL")
    updates_dir: Path = Field(
        default=Path("/var/lib/smartstore/updates"),
        description="Published update bundles (bundles/) and the fleet's signing.pub",
    )
    maintenance_notice: str = Field(default="", description="Shown on the login page")
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:port")
    mail_from: str = Field(default="smartstore@localhost", description="Sender of mails")
    cookie_secure: bool = Field(
        default=False,
        description="Secure flag on cookies even for plain-HTTP requests (a TLS proxy that is "
        "not in trusted_proxies); HTTPS requests always get it",
    )
    default_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    fleet: FleetSettings | None = Field(
        default=None,
        description="Node credentials registry and broker reload for the console's fleet page "
        "(SMARTSTORE_FLEET__DIR=…); unset = provisioning only from `smartstore device`",
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def weak_secret_key(self) -> str | None:
        """Why secret_key is not fit for production, or None when it is."""
        key = self.secret_key.get_secret_value()
        if key == DEFAULT_SECRET_KEY:
            return "secret_key (SMARTSTORE_SECRET_KEY) is the default"
        if len(key) < MIN_SECRET_KEY:
            return (
                f"secret_key (SMARTSTORE_SECRET_KEY) has {len(key)} characters; "
                f"use at least {MIN_SECRET_KEY}"
            )
        return None


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
