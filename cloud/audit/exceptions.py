"""Audit errors (none yet beyond the cloud's own; kept for the one-exceptions-module rule)."""

from __future__ import annotations

from cloud.exceptions import CloudError


class AuditError(CloudError):
    """An audit entry that cannot be written."""
