"""Stock rules broken: the API answers 409 / 422, the console shows them at the field."""

from __future__ import annotations

from cloud.exceptions import ConflictError, ValidationFailedError


class InsufficientStockError(ConflictError):
    """More would leave the store than it holds (always for transfers; for other outflows
    when the store refuses negative stock)."""


class ReasonRequiredError(ValidationFailedError):
    """A stocktake line that changes stock needs a reason (shrink, damage, miscount …)."""
