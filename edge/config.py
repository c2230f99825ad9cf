"""Node configuration: pydantic models (``extra="forbid"``), YAML files, env secrets.

Every node config embeds :class:`NodeIdentity`, :class:`MqttSettings` and
:class:`OutboxSettings`. Values come from the YAML file, then ``SMARTSTORE_*`` environment
variables (``SMARTSTORE_MQTT_URL``, ``SMARTSTORE_MQTT_PASSWORD`` …), then flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from contracts.topics import ID_PATTERN
from edge.exceptions import ConfigError

ENV_PREFIX = "SMARTSTORE_"


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


class TlsSettings(Strict):
    ca_file: Path | None = Field(default=None, description="CA bundle that signed the broker")
    cert_file: Path | None = Field(default=None, description="Client certificate (mutual TLS)")
    key_file: Path | None = Field(default=None, description="Client private key (mutual TLS)")
    insecure: bool = Field(default=False, description="Skip hostname check (lab use only)")


class MqttSettings(Strict):
    """Where the broker is and how to log in. ``url`` is ``mqtt://user:pass@host:port``."""

    url: str = Field(default="mqtt://127.0.0.1:1883", description="mqtt:// or mqtts:// URL")
    username: str | None = Field(default=None, description="Overrides the URL's user")
    password: SecretStr | None = Field(default=None, description="Overrides the URL's password")
    password_file: Path | None = Field(default=None, description="File holding the password")
    client_id: str | None = Field(default=None, description="Defaults to {store}-{node}")
    keepalive: int = Field(default=30, ge=5, le=3600, description="MQTT keepalive, seconds")
    protocol: Literal["auto", "5", "3.1.1"] = Field(
        default="auto",
        description="MQTT version; auto tries 5 and falls back to 3.1.1 (amqtt) per broker",
    )
    heartbeat_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds between refreshes of the retained online state, so the cloud "
        "hears from an idle node well inside its inactivity timeout (device_timeout_s)",
    )
    tls: TlsSettings | None = Field(default=None, description="TLS options for mqtts://")
    backoff_min: float = Field(default=0.5, gt=0, description="First reconnect delay, seconds")
    backoff_max: float = Field(default=30.0, gt=0, description="Longest reconnect delay, seconds")

    @model_validator(mode="after")
    def _check_url(self) -> MqttSettings:
        parts = urlsplit(self.url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ValueError("url must start with mqtt:// or mqtts://")
        if not parts.hostname:
            raise ValueError("url has no host")
        return self

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (8883 if parts.scheme == "mqtts" else 1883)

    @property
    def use_tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts" or self.tls is not None

    def credentials(self) -> tuple[str | None, str | None]:
        """User and password: explicit fields, then the password file, then the URL."""
        parts = urlsplit(self.url)
        user = self.username or (unquote(parts.username) if parts.username else None)
        if self.password is not None:
            return user, self.password.get_secret_value()
        if self.password_file is not None:
            return user, self.password_file.read_text().strip()
        return user, unquote(parts.password) if parts.password else None


class NodeIdentity(Strict):
    store: str = Field(pattern=f"^{ID_PATTERN}$", description="Store id, e.g. demo")
    node: str = Field(pattern=f"^{ID_PATTERN}$", description="Node id, unique in the store")


class OutboxSettings(Strict):
    path: Path = Field(default=Path("var/node.sqlite3"), description="SQLite file of the node")
    max_rows: int = Field(
        default=200_000, ge=100, description="Rows awaiting the cloud's ack kept at most"
    )
    inflight: int = Field(default=64, ge=1, le=1000, description="Unacknowledged publishes")
    replay_rate: float = Field(
        default=500.0, gt=0, description="Historical backlog drained at most this many/s"
    )
    retention_hours: float = Field(
        default=72.0, ge=0, description="Keep rows the cloud acknowledged this long"
    )
    end_to_end_acks: bool = Field(
        default=True,
        description="Keep rows until the cloud acks them on .../ack and re-send what stays "
        "unacked (SPEC §4); off only for a cloud that publishes no acks (PUBACK = delivered)",
    )
    ack_timeout: float = Field(
        default=5.0, gt=0, description="Seconds before the first re-send, until acks are timed"
    )
    ack_timeout_min: float = Field(
        default=1.0, gt=0, description="Lower bound of the adaptive re-send timeout (s)"
    )
    ack_timeout_max: float = Field(
        default=60.0, gt=0, description="Upper bound of the re-send timeout after backoff (s)"
    )
    require_subscriber: bool = Field(
        default=False,
        description="MQTT 5: a PUBACK saying 'no matching subscribers' leaves the row unsent "
        "and it is retried with backoff (on in production: no cloud ingest = not delivered)",
    )
    sync: Literal["full", "normal"] = Field(
        default="full", description="SQLite synchronous mode; full survives a power cut"
    )


class MetricsSettings(Strict):
    """Prometheus ``/metrics`` of the node (edge.metrics); a port already taken only logs."""

    enabled: bool = Field(default=True, description="Serve /metrics")
    host: str = Field(default="127.0.0.1", description="Bind address; 0.0.0.0 for a scraper")
    port: int = Field(default=9110, ge=0, le=65535, description="TCP port; 0 picks a free one")


class UpdateSettings(Strict):
    """Software updates (edge.updates): where versions live and how a new one is judged."""

    root: Path = Field(
        default=Path("/opt/smartstore"), description="versions/, current, known-good, state"
    )
    public_key: str = Field(
        min_length=40,
        max_length=60,
        description="Fleet update key, base64 (from `smartstore device provision`)",
    )
    trial_s: float = Field(default=180.0, gt=0, description="Seconds to pass the self-test")
    passes: int = Field(default=3, ge=1, le=100, description="Clean self-tests in a row")
    interval_s: float = Field(default=5.0, gt=0, description="Seconds between self-tests")
    idle_poll_s: float = Field(default=2.0, gt=0, description="Wait for idle, polling this")
    ui_url: str | None = Field(default=None, description="Local UI the self-test fetches")


class NodeConfig(Strict):
    """Fields shared by every node's config."""

    identity: NodeIdentity = Field(description="Which store and node this is")
    mqtt: MqttSettings = Field(default_factory=MqttSettings, description="Broker connection")
    outbox: OutboxSettings = Field(
        default_factory=OutboxSettings, description="Durable event store and its drain"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level"
    )
    metrics: MetricsSettings = Field(
        default_factory=MetricsSettings, description="Prometheus endpoint of the node"
    )
    updates: UpdateSettings | None = Field(
        default=None, description="Software updates from the cloud; off when absent"
    )


C = TypeVar("C", bound=BaseModel)


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``SMARTSTORE_MQTT_URL=…`` → ``{"mqtt": {"url": …}}``; ``__`` separates deeper levels."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    simple = {
        "MQTT_URL": ("mqtt", "url"),
        "MQTT_USERNAME": ("mqtt", "username"),
        "MQTT_PASSWORD": ("mqtt", "password"),
        "MQTT_PASSWORD_FILE": ("mqtt", "password_file"),
        "STORE": ("identity", "store"),
        "NODE": ("identity", "node"),
    }
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in simple:
            path: tuple[str, ...] = simple[name]
        elif name.startswith("CFG__"):
            path = tuple(p.lower() for p in name[5:].split("__") if p)
        else:
            continue
        cursor = out
        for part in path[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[path[-1]] = value
    return out


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def load_config(
    model: type[C],
    path: Path | str | None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> C:
    """Load ``model`` from YAML + env + overrides; :class:`ConfigError` names the bad field."""
    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{file}: file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission, not UTF-8
            raise ConfigError(f"{file}: cannot read: {exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{file}: the top level must be a mapping")
        data = loaded
    env = env_overrides(environ)
    if env and "identity" not in model.model_fields:
        env = {k: v for k, v in env.items() if k in model.model_fields}
    data = deep_merge(data, env)
    if overrides:
        data = deep_merge(data, overrides)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation(exc, source=str(path) if path else "config")) from exc


def describe_validation(exc: ValidationError, source: str = "config") -> str:
    """One line per bad field, e.g. ``mqtt.keepalive: Input should be >= 5 (got 1)``."""
    lines = [f"{source}: {exc.error_count()} invalid field(s)"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  {loc}: {err['msg']}{shown}")
    return "\n".join(lines)
