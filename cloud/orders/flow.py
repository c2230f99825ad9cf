"""The order's status machine, pure: which action moves which status where.

``placed → picking → ready → collected`` (pickup) or ``ready → out_for_delivery →
delivered`` (delivery); ``cancelled`` from any open status. Stock: reserved while open,
taken by the sale on collected/delivered, released on cancelled.
"""

from __future__ import annotations

from typing import Literal

from cloud.orders.exceptions import OrderStateError

Action = Literal["pick", "ready", "collect", "dispatch", "deliver", "cancel"]
ACTIONS: tuple[Action, ...] = ("pick", "ready", "collect", "dispatch", "deliver", "cancel")

_MOVES: dict[Action, tuple[tuple[str, ...], str, str | None]] = {
    # action: (from statuses, to status, only for this fulfilment)
    "pick": (("placed",), "picking", None),
    "ready": (("picking",), "ready", None),
    "collect": (("ready",), "collected", "pickup"),
    "dispatch": (("ready",), "out_for_delivery", "delivery"),
    "deliver": (("out_for_delivery",), "delivered", "delivery"),
    "cancel": (("placed", "picking", "ready", "out_for_delivery"), "cancelled", None),
}
SALE_STATUSES = ("collected", "delivered")
"""Statuses in which the order became a sale (its stock taken)."""


def next_status(status: str, fulfilment: str, action: Action) -> str:
    """The status ``action`` leads to, or :class:`OrderStateError` saying why not."""
    sources, target, only = _MOVES[action]
    if status not in sources:
        raise OrderStateError(f"cannot {action} an order that is {status}")
    if only is not None and fulfilment != only:
        raise OrderStateError(f"cannot {action} a {fulfilment} order")
    return target


def late(status: str, due_passed: bool) -> bool:
    """Still to be made ready while its due time has passed."""
    return due_passed and status in ("placed", "picking")
