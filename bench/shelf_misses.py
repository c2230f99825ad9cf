"""Every line the shelf detector got wrong on some traces, sorted by kind.

    .venv/bin/python -m bench.shelf_misses [--seeds 2000-2004] [--families mixed]
        [--minutes 40] [--rate 40] [--jobs 2] [--list]

``bench.shelf`` says how well the detector does; this says where the rest goes, so a change
can aim at the largest kind (decision 0268 was found this way). Lines are paired as the
scorer pairs them (``bench.shelfgen.score``: same lane, same type, the line inside the true
event's window), then each leftover is put in one kind:

- ``missed``: a true pick, put or foreign put with no line of any type in its window;
- ``confused``: a true event answered by a line of another type (``pick->put`` …);
- ``qty``: a true pick or put answered with another quantity;
- ``split``: a line of the same type inside the window of a true event already answered
  (one visit said twice, e.g. a pick of 4 as 3 + 1);
- ``extra``: a line with no true event of its type near it.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing import Pool

from bench.shelf import parse_seeds, replay_trace
from bench.shelfgen import FAMILIES, score
from bench.shelfgen.records import Record
from bench.shelfgen.score import EARLY_S, EVENT_TYPES, LATE_S, is_removal, pair_lane, window

KINDS = ("missed", "confused", "qty", "split", "extra")


@dataclass
class Misses:
    """The leftovers of one trace: a count per kind and one line per leftover."""

    family: str
    seed: int
    f1: float
    truth_events: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def note(self, kind: str, lane: str, t: float, detail: str) -> None:
        self.kinds[kind.split(" ")[0]] += 1
        self.lines.append(f"{self.family} {self.seed} {lane} t={t:.1f} {kind}: {detail}")


def lane_misses(out: Misses, lane: str, truth: list[Record], preds: list[Record]) -> None:
    """Pair one lane's lines as the scorer does and note every leftover."""
    pairing = pair_lane(truth, preds, EARLY_S, LATE_S)
    for tr, pr in pairing.matched:
        if tr["type"] != "foreign" and pr["qty"] != tr["qty"]:
            out.note("qty", lane, float(tr["t"]), f"{tr['type']} of {tr['qty']} said {pr['qty']}")
    for tr, pr in pairing.confused:
        said = "foreign removal" if is_removal(tr) else tr["type"]
        out.note(f"confused {said}->{pr['type']}", lane, float(tr["t"]), f"qty {pr.get('qty')}")
    for tr in pairing.truth_left:
        if not is_removal(tr):
            out.note("missed", lane, float(tr["t"]), f"{tr['type']} of {tr.get('qty', '-')}")
    for pr in pairing.preds_left:
        t = float(pr["t"])
        windows = [window(r, EARLY_S, LATE_S) for r in truth if r["type"] == pr["type"]]
        near = [a for a, b in windows if a <= t <= b]
        kind = "split" if near else "extra"
        out.note(kind, lane, t, f"{pr['type']} of {pr.get('qty', '-')}")


def trace_misses(job: tuple[str, int, float, float]) -> Misses:
    """Generate one trace, replay it through the detector and sort what it got wrong."""
    family, seed, _minutes, _rate = job
    trace, lines, _cpu = replay_trace(job)
    scores = score(trace.truth, lines)
    out = Misses(family, seed, scores.f1 if scores.f1 is not None else 1.0)
    truth = [r for r in trace.truth if r["type"] in EVENT_TYPES]
    preds = [r for r in lines if r["type"] in EVENT_TYPES]
    out.truth_events = sum(1 for r in truth if not is_removal(r))
    for lane in sorted({str(r["lane"]) for r in truth + preds}):
        lane_misses(
            out,
            lane,
            [r for r in truth if r["lane"] == lane],
            [r for r in preds if r["lane"] == lane],
        )
    return out


def summary(runs: Sequence[Misses]) -> list[str]:
    """One row per family: true events, each kind's count, mean and worst F1."""
    rows = [
        f"{'family':12s} traces  events  "
        + "  ".join(f"{k:>8s}" for k in KINDS)
        + "  F1 mean / worst"
    ]
    for family in sorted({r.family for r in runs}):
        mine = [r for r in runs if r.family == family]
        kinds = sum((r.kinds for r in mine), Counter[str]())
        f1s = [r.f1 for r in mine]
        rows.append(
            f"{family:12s} {len(mine):6d}  {sum(r.truth_events for r in mine):6d}  "
            + "  ".join(f"{kinds[k]:8d}" for k in KINDS)
            + f"  {statistics.mean(f1s):.4f} / {min(f1s):.4f}"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="2000-2004")
    ap.add_argument("--families", default="mixed", help="comma-separated, or all")
    ap.add_argument("--minutes", type=float, default=40.0)
    ap.add_argument("--rate", type=float, default=40.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="also print every leftover line")
    args = ap.parse_args(argv)
    families = [f for f in FAMILIES if f != "quiet"] if args.families == "all" else []
    families = families or args.families.split(",")
    jobs = [(f, s, args.minutes, args.rate) for f in families for s in parse_seeds(args.seeds)]
    with Pool(max(1, args.jobs)) as pool:
        runs = pool.map(trace_misses, jobs, chunksize=1)
    print(f"shelf misses: seeds {args.seeds}, {args.minutes:g} min at {args.rate:g} Hz")
    print("\n".join(summary(runs)))
    if args.list:
        for run in runs:
            print("\n".join(run.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
