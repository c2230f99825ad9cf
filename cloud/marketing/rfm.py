"""RFM scoring and segments. Pure: takes per-member figures and a reference instant.

Scores are 1–5 by quintile of the population (recency: more recent is better), so segments
adapt to the store instead of hard-coded amounts. Segment names follow the usual RFM grid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

SEGMENTS = ("champions", "loyal", "potential", "new", "at_risk", "hibernating", "lost")


@dataclass(frozen=True, slots=True)
class Figures:
    member_id: int
    last_visit: datetime | None
    visits: int
    spend: Decimal


@dataclass(frozen=True, slots=True)
class Rfm:
    member_id: int
    r: int
    f: int
    m: int
    days_since: int | None
    segment: str


def _quintile(values: Sequence[float], value: float) -> int:
    """1..5: the share of values at or below ``value``."""
    if not values:
        return 1
    below = sum(1 for v in values if v <= value)
    return min(5, max(1, 1 + int(5 * (below - 1) / len(values))))


def segment_of(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if f >= 4 and r >= 3:
        return "loyal"
    if r >= 4 and f <= 1:
        return "new"
    if r >= 3:
        return "potential"
    if f >= 3 or m >= 4:
        return "at_risk"
    if r == 2:
        return "hibernating"
    return "lost"


def score(figures: Sequence[Figures], now: datetime) -> dict[int, Rfm]:
    buyers = [x for x in figures if x.last_visit is not None and x.visits > 0]
    recency = [-(now - x.last_visit).days for x in buyers if x.last_visit is not None]
    freq = [float(x.visits) for x in buyers]
    money = [float(x.spend) for x in buyers]
    out: dict[int, Rfm] = {}
    for x in figures:
        if x.last_visit is None or x.visits == 0:
            out[x.member_id] = Rfm(x.member_id, 0, 0, 0, None, "new")
            continue
        days = (now - x.last_visit).days
        r = _quintile(recency, -days)
        f = _quintile(freq, float(x.visits))
        m = _quintile(money, float(x.spend))
        out[x.member_id] = Rfm(x.member_id, r, f, m, days, segment_of(r, f, m))
    return out


def counts(scored: Mapping[int, Rfm]) -> dict[str, int]:
    out = dict.fromkeys(SEGMENTS, 0)
    for x in scored.values():
        out[x.segment] = out.get(x.segment, 0) + 1
    return out
