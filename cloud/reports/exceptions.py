"""Report errors."""

from __future__ import annotations

from cloud.exceptions import ValidationFailedError


class ReportError(ValidationFailedError):
    """A report request out of range: unknown report, 'to' before 'from', too long a span."""
