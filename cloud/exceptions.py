"""Errors of the cloud service; the API maps them to HTTP statuses at its boundary."""

from __future__ import annotations


class CloudError(Exception):
    """Base of every cloud error."""


class NotFoundError(CloudError):
    """A store, device, product, member, alert or dead letter does not exist."""


class ConflictError(CloudError):
    """A unique value (code, barcode, phone, card) is already taken."""


class ValidationFailedError(CloudError):
    """Input that the models refuse, e.g. a promotion rule that contracts.pricebook rejects."""


class InvalidTransitionError(CloudError):
    """A state change that is not allowed, e.g. acknowledging a cleared alert twice."""
