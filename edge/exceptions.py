"""Errors of the edge runtime; library errors (sqlite3, paho) are mapped to these at the edge."""


class EdgeError(Exception):
    """Base of edge runtime errors."""


class ConfigError(EdgeError):
    """A node config file or environment value is invalid; the message names the field."""


class OutboxFullError(EdgeError):
    """The outbox refused an event of a class whose policy is to refuse (sales) when full."""


class OutboxError(EdgeError):
    """The outbox's SQLite file could not be opened or written, or was misused."""


class OutboxClosedError(OutboxError):
    """An event was emitted after the outbox was closed."""


class LinkError(EdgeError):
    """The MQTT link was misused (e.g. a route added after start)."""


class RemoteConfigError(EdgeError):
    """A pushed config was refused or rolled back; the message is the reason sent back."""


class UpdateRefusedError(EdgeError):
    """A ``cmd/update`` order was refused (malformed, or another update is in progress)."""
