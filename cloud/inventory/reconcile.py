"""Shelf-vs-system reconciliation: a pure rule, so the console, docs and tests share one text.

Inputs per product: units the shelf lanes count, units the ledger says the store holds, the
worst lane state and since when a low/out lane has waited for stock. The ledger does not
know where a unit sits, so ``backroom = system − shelf`` is what should be off the shelf.

Rule, first match wins:

1. ``backroom < 0`` → **recount**: the shelf holds more than the ledger (an unbooked receiving
   or transfer, or a sale recorded twice).
2. every lane ok → **ok**.
3. ``backroom < 1`` → **reorder**: the lane is low/out and the ledger has nothing left.
4. low/out for at least ``shrink_after`` (default 4 h) while the ledger still shows backroom
   stock → **shrink** (suspected): staff were asked and the lane was not refilled, so the
   stock the ledger shows is probably not there (theft, damage, unbooked waste).
5. otherwise → **replenish** ``min(backroom, …)`` units from the backroom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

Action = Literal["ok", "replenish", "reorder", "shrink", "recount"]
ACTIONS: tuple[Action, ...] = ("shrink", "reorder", "replenish", "recount", "ok")
SHRINK_AFTER = timedelta(hours=4)
_SEVERITY = {"ok": 0, "low": 1, "out": 2}


@dataclass(frozen=True, slots=True)
class ShelfFacts:
    sku: str
    name: str
    shelf: int
    system: Decimal
    state: str
    """Worst lane state of the product: ok, low or out."""
    waiting_since: datetime | None = None
    """When its oldest open low/out alert opened (None when no lane is waiting)."""
    lanes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    facts: ShelfFacts
    action: Action
    backroom: Decimal


def worst(states: list[str]) -> str:
    return max(states, key=lambda s: _SEVERITY.get(s, 0), default="ok")


def classify(facts: ShelfFacts, now: datetime, shrink_after: timedelta = SHRINK_AFTER) -> Verdict:
    backroom = facts.system - facts.shelf
    action: Action
    if backroom < 0:
        action = "recount"
    elif facts.state not in ("low", "out"):
        action = "ok"
    elif backroom < 1:
        action = "reorder"
    elif facts.waiting_since is not None and now - facts.waiting_since >= shrink_after:
        action = "shrink"
    else:
        action = "replenish"
    return Verdict(facts, action, backroom)


def reconcile(
    facts: list[ShelfFacts], now: datetime, shrink_after: timedelta = SHRINK_AFTER
) -> list[Verdict]:
    """Every product's verdict, the ones needing action first."""
    out = [classify(f, now, shrink_after) for f in facts]
    return sorted(out, key=lambda v: (ACTIONS.index(v.action), v.facts.sku))
