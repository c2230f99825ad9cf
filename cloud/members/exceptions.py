"""Errors of the member programme; subclasses of the cloud's mapped errors so the API turns
them into 409/422 without extra handlers."""

from __future__ import annotations

from cloud.exceptions import ConflictError, ValidationFailedError


class CouponError(ValidationFailedError):
    """A coupon cannot be issued or used; ``reason`` is a stable code for kiosks and tests."""

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


class PointsError(ConflictError):
    """A redemption the balance does not cover."""
