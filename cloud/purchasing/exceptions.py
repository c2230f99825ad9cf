"""Purchasing rules broken: the API answers 403 / 409 / 422 with the rule in the message."""

from __future__ import annotations

from cloud.auth.exceptions import PermissionDeniedError
from cloud.exceptions import ValidationFailedError


class ApprovalLimitError(PermissionDeniedError):
    """A manager approving an order above head office's limit (head office approves it)."""


class ReasonRequiredError(ValidationFailedError):
    """An over-delivery, a damaged unit or a return without a reason."""
