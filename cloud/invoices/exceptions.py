"""Errors of invoicing."""

from __future__ import annotations

from cloud.exceptions import ConflictError, ValidationFailedError


class InvoiceExistsError(ConflictError):
    """The sale already has an invoice."""


class InvoiceRequestError(ValidationFailedError):
    """A receipt request whose proof (sale total) does not match."""
