"""Supplier performance from the orders' own history. Pure: lead-time accuracy (delivered
on or before the expected date, and by how many days late on average), fill rate (good
units received of those ordered, over-deliveries capped per line) and spend (value received
net of returns)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PCT = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One order with something received: its supplier, expected and last delivery dates,
    and per line (ordered, good received, returned, unit cost)."""

    supplier: str
    expected_on: date | None
    delivered_on: date
    finished: bool
    lines: tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...]


@dataclass
class SupplierFigures:
    orders: int = 0
    on_time: int = 0
    days_late: list[int] = field(default_factory=list)
    ordered: Decimal = Decimal(0)
    filled: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)

    @property
    def on_time_pct(self) -> Decimal | None:
        timed = len(self.days_late)
        return None if not timed else _pct(Decimal(self.on_time), Decimal(timed))

    @property
    def avg_days_late(self) -> Decimal | None:
        if not self.days_late:
            return None
        return (Decimal(sum(self.days_late)) / len(self.days_late)).quantize(PCT, ROUND_HALF_UP)

    @property
    def fill_rate_pct(self) -> Decimal | None:
        return None if not self.ordered else _pct(self.filled, self.ordered)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (100 * part / whole).quantize(PCT, ROUND_HALF_UP)


def figures(facts: Iterable[OrderFacts]) -> dict[str, SupplierFigures]:
    """Per supplier; fill rate counts finished orders only (an open one may still fill)."""
    out: dict[str, SupplierFigures] = {}
    for f in facts:
        row = out.setdefault(f.supplier, SupplierFigures())
        row.orders += 1
        if f.expected_on is not None:
            late = (f.delivered_on - f.expected_on).days
            row.days_late.append(late)
            row.on_time += late <= 0
        for ordered, received, returned, cost in f.lines:
            row.spend += ((received - returned) * cost).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if f.finished:
                row.ordered += ordered
                row.filled += min(received, ordered)
    return out
