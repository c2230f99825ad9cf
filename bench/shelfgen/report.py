"""The naive baseline over families × seeds, as a markdown table (per family and worst)."""

from __future__ import annotations

import time

from bench.shelfgen import naive
from bench.shelfgen.exceptions import ShelfgenError
from bench.shelfgen.score import score
from bench.shelfgen.scores import Scores, combine
from bench.shelfgen.trace import generate

COLUMNS = (
    "family",
    "events",
    "precision",
    "recall",
    "F1 pooled",
    "F1 worst seed",
    "qty right",
    "foreign recall",
    "OOS found",
    "OOS median / max s",
    "false OOS",
    "events on quiet",
)


def parse_seeds(text: str) -> list[int]:
    """``0-4`` or ``1,5,9`` (or both: ``0-2,7``)."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            seeds += list(range(int(lo), int(hi or lo) + 1))
    except ValueError as exc:
        raise ShelfgenError(f"seeds must look like 0-4 or 1,5,9, got {text!r}") from exc
    return seeds


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _num(x: float | None, fmt: str = ".3f") -> str:
    return "–" if x is None else format(x, fmt)


def row(family: str, runs: list[Scores]) -> list[str]:
    s = combine(runs)
    f1s = [r.f1 for r in runs if r.f1 is not None]
    return [
        family,
        str(s.truth_events),
        _num(s.precision),
        _num(s.recall),
        _num(s.f1),
        _num(min(f1s) if f1s else None),
        _pct(s.qty_right),
        _pct(s.foreign_recall),
        f"{len(s.oos_latencies)}/{s.oos_true}",
        f"{_num(s.oos_latency_median_s, '.1f')} / {_num(s.oos_latency_max_s, '.1f')}",
        str(s.false_oos),
        str(s.events_on_quiet) if s.quiet_traces else "–",
    ]


def run_family(
    family: str, seeds: list[int], minutes: float, rate_hz: float
) -> tuple[list[Scores], float]:
    """Scores of the naive detector per seed, and the seconds the whole family took."""
    began = time.perf_counter()
    runs = []
    for seed in seeds:
        trace = generate(family, seed, minutes=minutes, rate_hz=rate_hz)
        runs.append(score(trace.truth, naive.detect(trace)))
    return runs, time.perf_counter() - began


def baseline_table(
    families: list[str], seeds: list[int], *, minutes: float, rate_hz: float, quiet_hours: float
) -> str:
    lines = [
        f"naive baseline, seeds {seeds[0]}..{seeds[-1]} ({len(seeds)} per family), "
        f"{minutes:g} min at {rate_hz:g} Hz (quiet: {quiet_hours:g} h)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    all_runs: list[Scores] = []
    total = 0.0
    for family in families:
        length = 60.0 * quiet_hours if family == "quiet" else minutes
        runs, seconds = run_family(family, seeds, length, rate_hz)
        all_runs += runs
        total += seconds
        lines.append("| " + " | ".join(row(family, runs)) + " |")
    lines.append("| " + " | ".join(row("all", all_runs)) + " |")
    lines += ["", f"generated, detected and scored in {total:.0f} s"]
    return "\n".join(lines)
