"""Bagging-area check: compare each stable weight change with what the cart expects.

Deltas, not totals: per-item spreads would add up over a big basket, while one step at a
time is checked against one item's tolerance. Pure: fed stable readings by the scale shell.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from kiosk.domain.cart import Cart, CartLine

Verdict = Literal[
    "ignore", "bagged", "removal_done", "settled", "mismatch", "unexpected", "removed"
]


@dataclass(frozen=True)
class BaggingOutcome:
    verdict: Verdict
    line_id: str | None = None
    delta_g: Decimal = Decimal(0)
    detail: str = ""


@dataclass
class BaggingState:
    """What the scale should read: the last accepted stable weight and an expected removal."""

    baseline_g: Decimal = Decimal(0)
    pending_removal_g: Decimal = Decimal(0)
    noise_g: Decimal = Decimal(5)


def judge(state: BaggingState, cart: Cart, weight_g: Decimal) -> BaggingOutcome:
    """Decide what a new stable weight means; mutates ``state`` and the cart's bagged counts."""
    delta = weight_g - state.baseline_g
    if abs(delta) <= state.noise_g:
        return BaggingOutcome("settled", delta_g=delta)
    if state.pending_removal_g > 0 and delta < 0:
        tol = max(state.noise_g, state.pending_removal_g * Decimal("0.1"))
        if abs(-delta - state.pending_removal_g) <= tol:
            state.pending_removal_g = Decimal(0)
            state.baseline_g = weight_g
            return BaggingOutcome("removal_done", delta_g=delta)
    if delta > 0:
        match = _match_pending(cart, delta, state.noise_g)
        if match is not None:
            line, units = match
            line.bagged_qty = min(line.qty, line.bagged_qty + units)
            state.baseline_g = weight_g
            return BaggingOutcome("bagged", line_id=line.line_id, delta_g=delta)
        pending = [ln for ln in cart.lines if ln.needs_bagging]
        if pending:
            want = pending[0].pending_grams()
            return BaggingOutcome(
                "mismatch",
                line_id=pending[0].line_id,
                delta_g=delta,
                detail=f"{pending[0].name}: expected {want:.0f} g, got {delta:.0f} g",
            )
        return BaggingOutcome("unexpected", delta_g=delta, detail=f"+{delta:.0f} g not scanned")
    return BaggingOutcome("removed", delta_g=delta, detail=f"{delta:.0f} g removed")


def _match_pending(cart: Cart, delta: Decimal, noise: Decimal) -> tuple[CartLine, Decimal] | None:
    """The line (and how many of its units) a weight step is: all pending, or whole units."""
    for line in cart.lines:
        if not line.needs_bagging:
            continue
        pending = line.qty - line.bagged_qty
        counts = [pending] if line.weighed else [Decimal(n) for n in range(1, int(pending) + 1)]
        for units in counts:
            want = units * (line.unit_grams or Decimal(0))
            if abs(delta - want) <= max(noise, line.tolerance_for(units)):
                return line, units
    return None


def accept_current(state: BaggingState, cart: Cart, weight_g: Decimal) -> None:
    """An attendant looked at the bag: take the present weight as right, everything bagged."""
    for line in cart.lines:
        if line.needs_bagging:
            line.bagged_qty = line.qty
    state.baseline_g = weight_g
    state.pending_removal_g = Decimal(0)


class StableDetector:
    """Turns a noisy stream into stable readings: a window whose spread stays small.

    Emits each stable value once; a new value is emitted only after the weight moved and
    settled again, so a resting bag does not raise the same event every sample.
    """

    def __init__(self, window: int = 5, spread_g: Decimal = Decimal(3)) -> None:
        self._window: deque[Decimal] = deque(maxlen=window)
        self._spread = spread_g
        self._last: Decimal | None = None

    def feed(self, grams: Decimal) -> Decimal | None:
        self._window.append(grams)
        if len(self._window) < (self._window.maxlen or 1):
            return None
        if max(self._window) - min(self._window) > self._spread:
            return None
        value = sum(self._window, Decimal(0)) / len(self._window)
        value = value.quantize(Decimal("0.1"))
        if self._last is not None and abs(value - self._last) <= self._spread:
            return None
        self._last = value
        return value
