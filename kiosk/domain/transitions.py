"""The checkout's phases and every allowed transition, in one table. Pure data.

Every step of the checkout names an :data:`Event`; the machine
(:class:`~kiosk.domain.checkout.Checkout`) looks ``(phase, event)`` up in
:data:`TRANSITIONS`: absent, the step is refused (``not_in_<phase>``); present, the machine
moves to the phase it names. A self-loop says a step is allowed in a phase without leaving
it. Steps never set the phase: they return a :class:`Change` and the machine applies it.

::

    idle ──scan──▶ scanning ──pay──▶ paying ──paid──▶ receipt ──finish──▶ done
      ▲  ◀─emptied─┘  ▲  ◀───back───┘                      │               │
      │ ◀──suspend, void, next_cart (the next cart) ───────┴───────────────┘
      └──unlock── locked ◀──lock── idle   (a lock asked mid-cart waits for the next cart)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, get_args

from contracts.messages import InterventionKind, Payload
from kiosk.exceptions import KioskError

Phase = Literal["idle", "scanning", "paying", "receipt", "done", "locked"]
PHASES: tuple[Phase, ...] = get_args(Phase)

Event = Literal[
    "scan",
    "edit",
    "emptied",
    "member",
    "coupon",
    "points",
    "pay",
    "back",
    "tender",
    "paid",
    "finish",
    "suspend",
    "resume",
    "void",
    "next_cart",
    "lock",
    "unlock",
]
EVENTS: tuple[Event, ...] = get_args(Event)

TRANSITIONS: Mapping[tuple[Phase, Event], Phase] = MappingProxyType(
    {
        # an item scanned or typed in; the first one opens the cart
        ("idle", "scan"): "scanning",
        ("scanning", "scan"): "scanning",
        # quantity, removal, price-override request, void request after bagging
        ("scanning", "edit"): "scanning",
        # an attendant approved taking the last line away
        ("scanning", "emptied"): "idle",
        # loyalty, before any money moved (the step checks the ledger)
        ("idle", "member"): "idle",
        ("scanning", "member"): "scanning",
        ("paying", "member"): "paying",
        ("scanning", "coupon"): "scanning",
        ("paying", "coupon"): "paying",
        ("scanning", "points"): "scanning",
        ("paying", "points"): "paying",
        # paying: attempts and cash go in; back to the cart while nothing is paid
        ("scanning", "pay"): "paying",
        ("paying", "tender"): "paying",
        ("paying", "back"): "scanning",
        ("paying", "paid"): "receipt",
        ("receipt", "finish"): "done",
        # parked (挂单) and taken back
        ("scanning", "suspend"): "idle",
        ("idle", "resume"): "scanning",
        # the cart cancelled before any money moved
        ("idle", "void"): "idle",
        ("scanning", "void"): "idle",
        ("paying", "void"): "idle",
        ("locked", "void"): "idle",
        # start over: after a sale, or with nothing in the cart
        ("idle", "next_cart"): "idle",
        ("scanning", "next_cart"): "idle",
        ("receipt", "next_cart"): "idle",
        ("done", "next_cart"): "idle",
        ("locked", "next_cart"): "idle",
        # the cloud's lock takes effect at a cart boundary
        ("idle", "lock"): "locked",
        ("locked", "unlock"): "idle",
    }
)
"""``(phase, event) → phase``: the only place the checkout's phases change."""

NEXT_CART: frozenset[Event] = frozenset({"suspend", "void", "next_cart"})
"""Events that close the cart: the machine starts the next one, then locks if asked to."""

SHOPPER: frozenset[Event] = frozenset(
    {"scan", "edit", "member", "coupon", "points", "pay", "back", "tender", "suspend", "resume"}
)
"""The shopper's own steps: refused while an intervention waits for an attendant."""

OPEN_CART: frozenset[Phase] = frozenset({"scanning", "paying"})
"""A shopper is at work: no return desk, the cart keeps its price book."""

AFTER_SALE: frozenset[Phase] = frozenset({"receipt", "done"})
"""The last sale is on screen: the next shopper's scan or resume starts the next cart."""

BOUNDARY: frozenset[Phase] = frozenset({"idle", "done", "locked"})
"""Between carts: a new price book applies at once (if the cart is empty)."""

LOCK_NOW: frozenset[Phase] = frozenset({"idle", "done"})
"""A lock asked in these phases (with no intervention open) locks at once."""

SCALE_OFF: frozenset[Phase] = frozenset({"locked"})
"""The bagging scale's readings are ignored."""


def target(phase: Phase, event: Event) -> Phase | None:
    """Where ``event`` leads from ``phase``; None when the table does not allow it."""
    return TRANSITIONS.get((phase, event))


class Transition(NamedTuple):
    before: Phase
    event: Event
    after: Phase


class AttendantCall(NamedTuple):
    """An intervention a step asks for: its kind, what it says, what approval does."""

    kind: InterventionKind
    detail: str
    action: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """What a step did besides editing the cart and the ledger; the machine applies it, in
    this order: events out, transition, failure count, interventions, refusal.
    """

    event: Event | None = None
    """The transition to take (a self-loop when the step stays in its phase)."""
    emit: tuple[tuple[str, Payload], ...] = ()
    """Events for the outbox (voids)."""
    success: bool = False
    """The shopper got somewhere: the repeated-failure count starts again."""
    failure: str | None = None
    """A failure that counts towards calling an attendant."""
    calls: tuple[AttendantCall, ...] = ()
    """Interventions to raise."""
    closes: tuple[str, ...] = ()
    """Open interventions the step resolved by itself (the scale saw the right weight)."""
    refuse: KioskError | None = None
    """Raised once the rest is applied: the failure above is still counted."""
