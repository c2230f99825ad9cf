"""Smart shelf benchmark on independent traces: every noise family, many seeds, worst case.

    .venv/bin/python -m bench.shelf [--seeds 1000-1004] [--minutes 40] [--rate 40]
        [--families all] [--quiet-hours 24] [--quiet-seeds 1000] [--jobs 2]

Traces come from ``bench.shelfgen`` (written without reading the detector, issue 17); seeds
≥ 1000 are held out from tuning, so the default run reports on traces nobody tuned on. The
detector is the ``smartstore shelf replay`` pipeline (:func:`shelf_sensors.replay.replay`);
the baseline in the same run is ``bench.shelfgen.naive`` on the same traces, scored by the
same scorer. Speed is trace seconds × lanes per CPU second of the replay alone (one core).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import Pool

from bench.shelfgen import FAMILIES, Scores, Trace, combine, generate, naive, score
from bench.shelfgen.records import Record
from shelf_sensors.lanes import parse_lanes_mapping
from shelf_sensors.replay import replay

TARGETS = {
    "f1": 0.99,
    "qty": 0.99,
    "foreign": 0.90,
    "oos_median_s": 5.0,
    "speed": 200.0,
}


@dataclass
class Run:
    """One trace scored for both detectors."""

    family: str
    seed: int
    ours: Scores
    naive: Scores
    lane_seconds: float
    cpu_s: float


def replay_trace(job: tuple[str, int, float, float]) -> tuple[Trace, list[Record], float]:
    """Generate one trace (family, seed, minutes, Hz) and replay it through the pipeline:
    the trace, the replay's lines and the replay's CPU seconds."""
    family, seed, minutes, rate = job
    trace = generate(family, seed, minutes=minutes, rate_hz=rate)
    lanes = parse_lanes_mapping(trace.lanes, f"{family}/{seed}")
    cpu0 = time.process_time()
    lines = [e.replay_line() for e in replay(trace.samples(), lanes)]
    return trace, lines, time.process_time() - cpu0


def run_trace(job: tuple[str, int, float, float]) -> Run:
    """Generate one trace, replay it through the pipeline and the baseline, score both."""
    family, seed, minutes, _rate = job
    trace, lines, cpu = replay_trace(job)
    ours = score(trace.truth, lines)
    base = score(trace.truth, naive.detect(trace))
    return Run(family, seed, ours, base, minutes * 60.0 * len(trace.lanes), cpu)


def parse_seeds(text: str) -> list[int]:
    """``1000-1004`` or ``1000,1003``."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _f(x: float | None, fmt: str = ".3f") -> str:
    return "–" if x is None else format(x, fmt)


def _worst(runs: Sequence[Scores], attr: str) -> float | None:
    vals = [v for r in runs if (v := getattr(r, attr)) is not None]
    return min(vals) if vals else None


COLUMNS = (
    "family | detector | events | F1 pooled | F1 worst seed | qty right | qty worst seed | "
    "foreign recall | OOS found | OOS median / max s | false OOS | events on quiet | "
    "×real time per lane"
)


def row(family: str, who: str, runs: Sequence[Scores], speed: float | None) -> str:
    s = combine(runs)
    oos = f"{len(s.oos_latencies)}/{s.oos_true}"
    lat = f"{_f(s.oos_latency_median_s, '.1f')} / {_f(s.oos_latency_max_s, '.1f')}"
    cells = [
        family,
        who,
        str(s.truth_events),
        _f(s.f1),
        _f(_worst(runs, "f1")),
        _pct(s.qty_right),
        _pct(_worst(runs, "qty_right")),
        _pct(s.foreign_recall),
        oos,
        lat,
        str(s.false_oos),
        str(s.events_on_quiet) if s.quiet_traces else "–",
        "–" if speed is None else f"{speed:,.0f}×",
    ]
    return "| " + " | ".join(cells) + " |"


def misses(family: str, runs: Sequence[Scores]) -> list[str]:
    """Targets this family misses (worst seed for F1 and quantity), in words."""
    s = combine(runs)
    out = []
    f1 = _worst(runs, "f1")
    if f1 is not None and f1 < TARGETS["f1"]:
        out.append(f"F1 worst seed {f1:.3f}")
    qty = _worst(runs, "qty_right")
    if qty is not None and qty < TARGETS["qty"]:
        out.append(f"quantity worst seed {100 * qty:.1f} %")
    if s.foreign_recall is not None and s.foreign_recall < TARGETS["foreign"]:
        out.append(f"foreign recall {100 * s.foreign_recall:.1f} %")
    if s.false_oos:
        out.append(f"{s.false_oos} false out-of-stock")
    if s.oos_missed:
        out.append(f"{s.oos_missed} out-of-stock missed")
    med = s.oos_latency_median_s
    if med is not None and med > TARGETS["oos_median_s"]:
        out.append(f"OOS median {med:.1f} s")
    if s.quiet_traces and s.events_on_quiet:
        out.append(f"{s.events_on_quiet} events on quiet")
    return [f"{family}: {m}" for m in out]


def table(runs: Sequence[Run], families: Sequence[str]) -> tuple[list[str], list[str]]:
    """Markdown rows (ours and naive per family, then all), and the targets missed."""
    lines = ["| " + COLUMNS + " |", "|" + "---|" * (COLUMNS.count("|") + 1)]
    missed: list[str] = []
    for family in [*families, "all"]:
        fam = [r for r in runs if family in ("all", r.family)]
        if not fam:
            continue
        cpu = sum(r.cpu_s for r in fam)
        speed = sum(r.lane_seconds for r in fam) / cpu if cpu > 0 else None
        lines.append(row(family, "pipeline", [r.ours for r in fam], speed))
        lines.append(row(family, "naive", [r.naive for r in fam], None))
        if family != "all":
            missed += misses(family, [r.ours for r in fam])
    return lines, missed


def worst_case(runs: Sequence[Run]) -> dict[str, float | int | None]:
    """The worst family and seed for every target, for the summary and ``python -m bench``."""
    ours = [r.ours for r in runs]
    eventful = [s for s in ours if not s.quiet_traces]
    every = combine(ours)
    cpu = sum(r.cpu_s for r in runs)
    recalls = [
        combine([r.ours for r in runs if r.family == f]).foreign_recall
        for f in {r.family for r in runs}
    ]
    lats = [combine([r.ours for r in runs if r.family == f]).oos_latency_median_s for f in FAMILIES]
    return {
        "f1_worst": _worst(eventful, "f1"),
        "qty_worst": _worst(eventful, "qty_right"),
        "foreign_recall_worst": min((x for x in recalls if x is not None), default=None),
        "false_oos": every.false_oos,
        "events_on_quiet": every.events_on_quiet,
        "oos_median_worst_s": max((x for x in lats if x is not None), default=None),
        "speed": sum(r.lane_seconds for r in runs) / cpu if cpu > 0 else None,
        "naive_f1_worst": _worst([r.naive for r in runs if not r.naive.quiet_traces], "f1"),
        "naive_f1": combine([r.naive for r in runs]).f1,
        "f1": every.f1,
    }


def bench_results(w: dict[str, float | int | None]) -> list[str]:
    """``BENCH-RESULT`` lines for the summary table of ``python -m bench``."""
    f1, nf1 = w["f1"], w["naive_f1"]
    ratio = f"{f1 / nf1:.3f}×" if f1 and nf1 else ""
    rows = [
        {
            "target": "shelf F1 ≥ 0.99 worst family×seed, held-out traces (issue 17)",
            "measured": f"worst {_f(w['f1_worst'])}, pooled {_f(f1)}",
            "baseline": f"naive worst {_f(w['naive_f1_worst'])}, pooled {_f(nf1)}",
            "ratio": ratio,
        },
        {
            "target": "shelf quantity ≥ 99 %, foreign recall ≥ 90 % (issue 17)",
            "measured": f"qty worst {_pct(w['qty_worst'])}, foreign worst "
            f"{_pct(w['foreign_recall_worst'])}",
        },
        {
            "target": "shelf 0 false OOS, 0 quiet events, OOS median ≤ 5 s (issue 17)",
            "measured": f"{w['false_oos']} false OOS, {w['events_on_quiet']} quiet events, "
            f"worst median {_f(w['oos_median_worst_s'], '.1f')} s",
        },
        {
            "target": "shelf pipeline ≥ 200× real time per lane (issue 17)",
            "measured": "–" if w["speed"] is None else f"{w['speed']:,.0f}×",
        },
    ]
    return ["BENCH-RESULT " + json.dumps(r, ensure_ascii=False) for r in rows]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1000-1004", help="eventful trace seeds (≥ 1000 held out)")
    ap.add_argument("--minutes", type=float, default=40.0)
    ap.add_argument("--rate", type=float, default=40.0)
    ap.add_argument("--families", default="all", help="comma-separated, or all")
    ap.add_argument("--quiet-hours", type=float, default=24.0)
    ap.add_argument("--quiet-seeds", default="1000")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    families = [f for f in FAMILIES if f != "quiet"] if args.families == "all" else []
    if args.families != "all":
        families = [f for f in args.families.split(",") if f != "quiet"]
    jobs = [(f, s, args.minutes, args.rate) for f in families for s in parse_seeds(args.seeds)]
    if args.quiet_hours > 0 and (args.families == "all" or "quiet" in args.families):
        jobs += [
            ("quiet", s, 60 * args.quiet_hours, args.rate) for s in parse_seeds(args.quiet_seeds)
        ]
        families.append("quiet")
    began = time.perf_counter()
    with Pool(max(1, args.jobs)) as pool:
        runs = pool.map(run_trace, sorted(jobs, key=lambda j: -j[2]), chunksize=1)
    eventful = [f for f in families if f != "quiet"]
    print(
        f"shelf bench: seeds {args.seeds} × {len(eventful)} eventful families, "
        f"{args.minutes:g} min at {args.rate:g} Hz; quiet "
        + (f"{args.quiet_hours:g} h × seeds {args.quiet_seeds}" if "quiet" in families else "none")
        + f"; {time.perf_counter() - began:.0f} s wall"
    )
    lines, missed = table(runs, families)
    print("\n".join(lines))
    w = worst_case(runs)
    print("\nworst case: " + json.dumps({k: v if v is None else round(v, 4) for k, v in w.items()}))
    print("targets missed: " + ("; ".join(missed) if missed else "none"))
    print("\n".join(bench_results(w)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
