"""Order errors; each maps to the cloud's HTTP errors (409 for a state or a race lost)."""

from __future__ import annotations

from cloud.exceptions import ConflictError, InvalidTransitionError


class PickConflictError(ConflictError):
    """Another member of staff is picking this order (or claimed it first)."""


class OrderStateError(InvalidTransitionError):
    """The action does not apply to the order's status or fulfilment; ``reason`` names the
    case for a translated message: state, not_picked, not_wanted."""

    def __init__(self, message: str, reason: str = "state") -> None:
        super().__init__(message)
        self.reason = reason


class OutOfStockError(ConflictError):
    """The store has fewer units available (on hand less reserved) than the order asks."""
