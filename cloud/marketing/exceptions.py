"""Errors of marketing."""

from __future__ import annotations

from cloud.exceptions import CloudError, ValidationFailedError


class ChannelError(CloudError):
    """A channel could not deliver; logged on the notification, never raised to a campaign."""


class SegmentError(ValidationFailedError):
    """A segment definition the builder does not understand."""
