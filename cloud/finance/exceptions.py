"""Finance errors; the API maps them (they subclass the cloud's validation/not-found errors)."""

from __future__ import annotations

from cloud.exceptions import NotFoundError, ValidationFailedError


class FinanceError(ValidationFailedError):
    """Finance input the rules refuse: unknown expense category, bad period, negative money."""


class NoZReportError(NotFoundError):
    """No Z report was received for the kiosk and day asked for."""
