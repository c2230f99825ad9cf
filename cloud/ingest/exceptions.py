"""Ingest errors: a rejected message (dead-lettered) versus a transient failure (retried)."""

from __future__ import annotations

from cloud.exceptions import CloudError


class IngestError(CloudError):
    """Base of ingest errors."""


class RejectedError(IngestError):
    """The message can never be applied as it is; the reason goes to the dead letter."""


class TransientError(IngestError):
    """The database or broker is unavailable; the message stays unacknowledged and retried."""


class SubscriptionRefusedError(IngestError):
    """The broker refused a subscription ingest needs (its ACL): connected but deaf, so the
    process ends and its supervisor and operator see it, rather than run receiving nothing."""
