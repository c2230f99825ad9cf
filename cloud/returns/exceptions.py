"""Errors of returns; mapped to HTTP by the cloud's base classes."""

from __future__ import annotations

from cloud.exceptions import ConflictError, NotFoundError


class ReturnRefusedError(ConflictError):
    """The lines asked for were already returned, or more than was sold."""


class SaleNotFoundError(NotFoundError):
    """No recorded sale with that number (yet: it may still be in a kiosk's outbox)."""
