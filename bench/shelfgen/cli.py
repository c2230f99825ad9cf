"""Command line: families, generate, score, naive, baseline (``python -m bench.shelfgen``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.shelfgen import naive
from bench.shelfgen.exceptions import ShelfgenError
from bench.shelfgen.files import FileTrace, read_lanes, write_dir
from bench.shelfgen.params import BASE, FAMILIES
from bench.shelfgen.records import read_predictions, read_truth, write_jsonl
from bench.shelfgen.report import baseline_table, parse_seeds
from bench.shelfgen.score import EARLY_S, LATE_S, score
from bench.shelfgen.trace import HELD_OUT_FROM, generate

QUIET_DEFAULT_HOURS = 24.0


def _families(_: argparse.Namespace) -> int:
    width = max(map(len, FAMILIES))
    for name, text in FAMILIES.items():
        print(f"{name:<{width}}  {text}")
    print(f"\n{BASE}")
    print(f"seeds >= {HELD_OUT_FROM} are held out for the final report: tune on seeds below.")
    return 0


def _generate(args: argparse.Namespace) -> int:
    if args.hours is not None and args.minutes is not None:
        raise ShelfgenError("give --minutes or --hours, not both")
    minutes = args.minutes
    if args.hours is not None:
        minutes = 60.0 * args.hours
    if minutes is None:
        minutes = 60.0 * QUIET_DEFAULT_HOURS if args.family == "quiet" else 40.0
    began = time.perf_counter()
    trace = generate(
        args.family,
        args.seed,
        minutes=minutes,
        rate_hz=args.rate,
        activity=args.activity,
        lanes=args.lanes,
    )
    rows = write_dir(trace, Path(args.out))
    events = sum(1 for r in trace.truth if r["type"] in ("pick", "put", "foreign"))
    summary = {
        "out": args.out,
        "family": args.family,
        "seed": args.seed,
        "held_out": args.seed >= HELD_OUT_FROM,
        "minutes": minutes,
        "rate_hz": args.rate,
        "samples": rows,
        "events": events,
        "seconds": round(time.perf_counter() - began, 2),
    }
    print(json.dumps(summary))
    return 0


def _score(args: argparse.Namespace) -> int:
    truth = read_truth(Path(args.truth))
    preds = read_predictions(Path(args.pred))
    result = score(truth, preds, early_s=args.early, late_s=args.late).as_dict()
    if args.lanes:
        lanes = read_lanes(Path(args.lanes))
        truth_lanes = {r["lane"] for r in truth if r["type"] == "init"}
        if truth_lanes and truth_lanes != set(lanes):
            raise ShelfgenError(f"{args.lanes} and {args.truth} describe different lanes")
        result["unknown_lanes"] = sum(1 for p in preds if p["lane"] not in lanes)
    result["tolerance_s"] = {"early": args.early, "late": args.late}
    print(json.dumps(result))
    return 0


def _naive(args: argparse.Namespace) -> int:
    lines = naive.detect(FileTrace(Path(args.dir)))
    if args.out:
        write_jsonl(Path(args.out), lines)
    else:
        for line in lines:
            print(json.dumps(line))
    return 0


def _baseline(args: argparse.Namespace) -> int:
    families = args.families or [f for f in FAMILIES if f != "quiet"] + ["quiet"]
    print(
        baseline_table(
            families,
            parse_seeds(args.seeds),
            minutes=args.minutes,
            rate_hz=args.rate,
            quiet_hours=args.quiet_hours,
        )
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.shelfgen", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("families", help="list the families and their parameter ranges")
    g = sub.add_parser("generate", help="write DIR/trace.csv, DIR/lanes.yaml, DIR/truth.jsonl")
    g.add_argument("--family", required=True, choices=list(FAMILIES))
    g.add_argument("--seed", required=True, type=int)
    g.add_argument("--minutes", type=float, help="default 40 (quiet: 24 h)")
    g.add_argument("--hours", type=float, help="length in hours (for quiet traces)")
    g.add_argument("--rate", type=float, default=40.0, help="sample rate in Hz: 10, 40 or 80")
    g.add_argument("--activity", type=float, help="shopper visits per minute (default: drawn)")
    g.add_argument("--lanes", type=int, default=8)
    g.add_argument("--out", required=True)
    s = sub.add_parser("score", help="score replay lines against truth: one JSON object")
    s.add_argument("--truth", required=True)
    s.add_argument("--pred", required=True)
    s.add_argument("--lanes")
    s.add_argument("--early", type=float, default=EARLY_S, help="seconds before the hand arrives")
    s.add_argument("--late", type=float, default=LATE_S, help="seconds after the hand leaves")
    n = sub.add_parser("naive", help="run the naive baseline on a trace directory")
    n.add_argument("dir")
    n.add_argument("--out", help="write the lines here instead of stdout")
    b = sub.add_parser("baseline", help="naive baseline scores per family over seeds")
    b.add_argument("--families", nargs="*")
    b.add_argument("--seeds", default="0-4", help="e.g. 0-4 or 1,5,9")
    b.add_argument("--minutes", type=float, default=40.0)
    b.add_argument("--rate", type=float, default=40.0)
    b.add_argument("--quiet-hours", type=float, default=2.0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    commands = {
        "families": _families,
        "generate": _generate,
        "score": _score,
        "naive": _naive,
        "baseline": _baseline,
    }
    try:
        return commands[args.command](args)
    except (ShelfgenError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
