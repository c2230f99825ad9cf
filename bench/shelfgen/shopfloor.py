"""Lane state and bookkeeping: every touch becomes a Contact, every change a truth record.

Fairness rules kept here (docs/shelf-evaluation.md): touches of one lane never overlap and
are at least 1 s apart (hand off to hand on); nothing completes in the first 5 s or the last
30 s of a trace; a lane never holds two foreign objects, and never empties while one rests
on it.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.shelfgen.contact import Contact, make_contact
from bench.shelfgen.lanes import Lane
from bench.shelfgen.params import Params, Span

START_S = 5.0
END_MARGIN_S = 30.0
Record = dict[str, Any]


@dataclass
class LaneState:
    units: list[float]  # weights of the units on the lane
    taken: list[float] = field(default_factory=list)  # picked and still in a shopper's hand
    foreign: tuple[str, float] | None = None
    free_at: float = 0.0  # earliest time the next touch may start
    restock_pending: bool = False
    target: bool = False  # a stockout lane that has not been emptied yet
    load_t: float = 0.0  # when the lane was stocked, before the trace (creep)


class Shopfloor:
    """The shelf's physical state while the activity script runs."""

    def __init__(
        self, rng: np.random.Generator, params: Params, lanes: list[Lane], duration_s: float
    ) -> None:
        self.rng, self.params, self.lanes = rng, params, lanes
        self.end = duration_s - END_MARGIN_S
        self.contacts: list[Contact] = []
        self.truth: list[Record] = []
        self._pending: list[tuple[float, int, str, int]] = []
        self._seq = itertools.count()
        self.popularity = rng.dirichlet(np.full(len(lanes), 2.0))
        targets = set(
            rng.choice(len(lanes), min(params.activity.stockout_lanes, len(lanes)), replace=False)
            if params.activity.stockout_lanes
            else []
        )
        self.states = []
        for i, lane in enumerate(lanes):
            if i in targets:
                count = int(rng.integers(2, 7))
            else:
                count = int(
                    rng.integers(max(lane.low_stock_at + 1, lane.capacity // 2), lane.capacity + 1)
                )
            count = min(count, lane.capacity)
            self.states.append(
                LaneState(
                    units=lane.unit(rng, count),
                    target=i in targets,
                    load_t=-float(rng.uniform(60.0, 1800.0)),
                )
            )

    # -- scheduling -------------------------------------------------------------------------
    def later(self, t: float, kind: str, lane: int) -> None:
        heapq.heappush(self._pending, (t, next(self._seq), kind, lane))

    def next_pending(self, before: float) -> tuple[float, str, int] | None:
        if self._pending and self._pending[0][0] <= before:
            t, _, kind, lane = heapq.heappop(self._pending)
            return t, kind, lane
        return None

    def u(self, span: Span) -> float:
        return float(self.rng.uniform(span[0], span[1]))

    def choose_lane(self, allowed: list[int] | None = None) -> int | None:
        lanes = allowed if allowed is not None else list(range(len(self.lanes)))
        if not lanes:
            return None
        w = np.array([self.popularity[i] * (5.0 if self.states[i].target else 1.0) for i in lanes])
        return int(lanes[int(self.rng.choice(len(lanes), p=w / w.sum()))])

    # -- touches ----------------------------------------------------------------------------
    def touch(
        self, lane: int, start: float, deltas: list[float], gap: Span | None = None
    ) -> Contact | None:
        """A touch of ``lane`` at ``start`` or when the lane is free; None past the end."""
        st = self.states[lane]
        t0 = max(start, st.free_at, START_S)
        contact = make_contact(self.rng, self.params, lane, t0, deltas)
        if contact.t1 > self.end:
            return None
        self.contacts.append(contact)
        settle = 3 * contact.ring[2] + 0.5  # ringing down to 5 %, then 0.5 s
        st.free_at = contact.t1 + max(self.u(gap or self.params.activity.gap_s), settle)
        return contact

    def record(self, c: Contact, kind: str, qty: int, delta_g: float, **extra: Any) -> None:
        lane = self.lanes[c.lane]
        self.truth.append(
            {
                "t": round(c.t1, 3),
                "t_start": round(c.t0, 3),
                "lane": lane.id,
                "type": kind,
                "qty": qty,
                "count": len(self.states[c.lane].units),
                "delta_g": round(delta_g, 2),
                **extra,
            }
        )

    def count_changed(self, c: Contact, before: int) -> None:
        """Truth of the lane's stock state, and the clerk's reaction to low stock."""
        st, lane = self.states[c.lane], self.lanes[c.lane]
        after = len(st.units)
        if before > 0 and after == 0:
            self.record(c, "out_of_stock", 0, 0.0)
            if not st.restock_pending:
                st.restock_pending = True
                delay = (20.0, 300.0) if st.target else (60.0, 600.0)
                self.later(c.t1 + self.u(delay), "restock", c.lane)
            st.target = False
        elif before == 0 and after > 0:
            self.record(c, "restocked", 0, 0.0)
        if 0 < after <= lane.low_stock_at and not st.target and not st.restock_pending:
            st.restock_pending = True
            self.later(c.t1 + self.u((60.0, 600.0)), "restock", c.lane)
