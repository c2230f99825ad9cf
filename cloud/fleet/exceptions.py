"""Errors of fleet operations; the CLI maps them to an exit code and one line of text."""

from __future__ import annotations

from cloud.exceptions import CloudError


class FleetError(CloudError):
    """Base of fleet errors."""


class UnknownNodeError(FleetError):
    """No credentials were issued for this store/node (or service user)."""


class ReloadError(FleetError):
    """The broker could not be told to reload its password file and ACL."""


class CommandError(FleetError):
    """A command could not be sent (not connected, bad name)."""


class RemoteConfigError(FleetError):
    """A node config pushed from the cloud is invalid or unknown."""
