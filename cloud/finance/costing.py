"""Moving-average cost per product and store from the inventory ledger. Pure.

Receiving (and transfers in) with a unit cost re-average the cost of what is on hand; every
other movement changes the quantity only. A sale is costed at the average in force when it
happened; before any costed receiving, the catalog cost recorded on the sale movement is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
COSTED_INBOUND = ("receiving", "transfer_in")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One inventory movement; ``qty`` is signed as in the ledger."""

    key: str
    kind: str
    qty: Decimal
    unit_cost: Decimal | None
    occurred_at: datetime
    reference: str = ""


@dataclass(slots=True)
class CostState:
    on_hand: Decimal = ZERO
    average: Decimal | None = None


@dataclass
class CostResult:
    """Cost of goods sold per sale line and the average cost at the end of the walk."""

    cogs: list[tuple[LedgerRow, Decimal]] = field(default_factory=list)
    states: dict[str, CostState] = field(default_factory=dict)
    uncosted: int = 0
    """Sale movements with neither a moving average nor a catalog cost (costed at zero)."""

    def cogs_between(self, start: datetime, end: datetime) -> Decimal:
        return sum((c for row, c in self.cogs if start <= row.occurred_at < end), ZERO)


def walk(rows: Iterable[LedgerRow]) -> CostResult:
    """Fold movements (sorted by time, then ledger order) into costs. Pure."""
    out = CostResult()
    for row in rows:
        state = out.states.setdefault(row.key, CostState())
        if row.kind in COSTED_INBOUND and row.unit_cost is not None and row.qty > 0:
            held = max(state.on_hand, ZERO)
            prior = state.average if state.average is not None else row.unit_cost
            state.average = (held * prior + row.qty * row.unit_cost) / (held + row.qty)
        elif row.kind == "sale":
            unit = state.average if state.average is not None else row.unit_cost
            if unit is None:
                out.uncosted += 1
                unit = ZERO
            out.cogs.append((row, cents(-row.qty * unit)))
        state.on_hand += row.qty
    return out
