"""Scores: counts gathered by the scorer and the measures derived from them."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Scores:
    """Counts from one or more traces; the measures are derived from them."""

    truth_events: int = 0
    predicted_events: int = 0  # pick/put/foreign lines, not counting neutral ones
    matched: int = 0
    neutral: int = 0  # foreign lines at a foreign removal
    qty_checked: int = 0  # matched picks and puts
    qty_right_n: int = 0
    count_right_n: int = 0  # matched events whose ``count`` is right
    foreign_truth: int = 0
    foreign_matched: int = 0
    oos_true: int = 0
    oos_latencies: list[float] = field(default_factory=list)
    false_oos: int = 0
    restock_true: int = 0
    restock_latencies: list[float] = field(default_factory=list)
    quiet_traces: int = 0  # traces without any true event: their lines count only here
    events_on_quiet: int = 0  # pick/put/foreign lines on quiet traces
    confusions: Counter[str] = field(default_factory=Counter)  # "truth->predicted"
    traces: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.matched, self.predicted_events)

    @property
    def recall(self) -> float | None:
        return _ratio(self.matched, self.truth_events)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.matched, self.truth_events + self.predicted_events)

    @property
    def qty_right(self) -> float | None:
        return _ratio(self.qty_right_n, self.qty_checked)

    @property
    def count_right(self) -> float | None:
        return _ratio(self.count_right_n, self.matched)

    @property
    def foreign_recall(self) -> float | None:
        return _ratio(self.foreign_matched, self.foreign_truth)

    @property
    def oos_missed(self) -> int:
        return self.oos_true - len(self.oos_latencies)

    @property
    def oos_latency_median_s(self) -> float | None:
        return statistics.median(self.oos_latencies) if self.oos_latencies else None

    @property
    def oos_latency_max_s(self) -> float | None:
        return max(self.oos_latencies) if self.oos_latencies else None

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "traces": self.traces,
            "truth_events": self.truth_events,
            "predicted_events": self.predicted_events,
            "matched": self.matched,
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "qty_right": r(self.qty_right),
            "qty_checked": self.qty_checked,
            "count_right": r(self.count_right),
            "foreign_truth": self.foreign_truth,
            "foreign_recall": r(self.foreign_recall),
            "neutral_foreign_removals": self.neutral,
            "oos_true": self.oos_true,
            "oos_detected": len(self.oos_latencies),
            "oos_missed": self.oos_missed,
            "oos_latency_median_s": r(self.oos_latency_median_s),
            "oos_latency_max_s": r(self.oos_latency_max_s),
            "false_oos": self.false_oos,
            "restock_true": self.restock_true,
            "restock_detected": len(self.restock_latencies),
            "restock_latency_median_s": r(
                statistics.median(self.restock_latencies) if self.restock_latencies else None
            ),
            "quiet_traces": self.quiet_traces,
            "events_on_quiet": self.events_on_quiet if self.quiet_traces else None,
            "confusions": dict(sorted(self.confusions.items())),
        }


def combine(many: Iterable[Scores]) -> Scores:
    """Scores pooled over several traces (sums of counts, latencies together)."""
    total = Scores()
    for s in many:
        for name in total.__dataclass_fields__:
            value = getattr(s, name)
            if isinstance(value, int):
                setattr(total, name, getattr(total, name) + value)
        total.oos_latencies += s.oos_latencies
        total.restock_latencies += s.restock_latencies
        total.confusions.update(s.confusions)
    return total
