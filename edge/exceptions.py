"""Errors of the edge runtime; library errors (sqlite3, paho) are mapped to these at the boundary."""


class EdgeError(Exception):
    """Base of edge runtime errors."""


class ConfigError(EdgeError):
    """A node config file or environment value is invalid; the message names the field."""


class OutboxFullError(EdgeError):
    """The outbox refused an event of a class whose policy is to refuse (sales) when full."""
