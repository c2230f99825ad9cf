"""Score replay lines against truth; the rules are in docs/shelf-evaluation.md.

Events: a true pick, put or foreign put matches at most one predicted line and the reverse:
same lane, same type, predicted ``t`` inside ``[t_start - early_s, t + late_s]`` (from just
before the hand arrives to a while after it leaves). The most matches possible are kept
(points to intervals, earliest deadline first, which is optimal). Removing a foreign object
is neutral: a ``foreign`` line there is neither right nor wrong, silence is fine, and a
``pick`` or ``put`` there is a false positive.

Stock: a lane is empty from the pick that takes its last unit until the put that refills it.
An ``out_of_stock`` line detects the empty it falls in (from ``t_start - early_s`` to the
refill + ``late_s``); latency is counted from the emptying pick's ``t``; a line outside
every empty is a false out-of-stock.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from bench.shelfgen.records import Record, check_prediction, check_truth
from bench.shelfgen.scores import Scores

EARLY_S = 1.0
LATE_S = 5.0
RESTOCK_LATE_S = 30.0
EVENT_TYPES = ("pick", "put", "foreign")
STOCK_TYPES = ("out_of_stock", "restocked")


def _start(rec: Record) -> float:
    """When the hand arrived (``t_start``), or ``t`` for records without it."""
    return float(rec["t_start"] if "t_start" in rec else rec["t"])


def window(rec: Record, early_s: float, late_s: float) -> tuple[float, float]:
    """When a line may answer the true event ``rec``: from ``early_s`` before the hand
    arrived to ``late_s`` after it left."""
    return _start(rec) - early_s, float(rec["t"]) + late_s


def match(
    truth: list[Record], preds: list[Record], early_s: float, late_s: float
) -> list[tuple[int, int]]:
    """Most one-to-one pairs (truth index, pred index) with the pred's t in the truth window."""
    windows = sorted((*window(rec, early_s, late_s), i) for i, rec in enumerate(truth))
    order = sorted(range(len(preds)), key=lambda j: float(preds[j]["t"]))
    live: list[tuple[float, int]] = []
    pairs: list[tuple[int, int]] = []
    w = 0
    for j in order:
        tp = float(preds[j]["t"])
        while w < len(windows) and windows[w][0] <= tp:
            heapq.heappush(live, (windows[w][1], windows[w][2]))
            w += 1
        while live and live[0][0] < tp:
            heapq.heappop(live)
        if live:
            pairs.append((heapq.heappop(live)[1], j))
    return pairs


def _by_lane(records: list[Record], types: tuple[str, ...]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        if rec["type"] in types:
            out[rec["lane"]].append(rec)
    return out


def is_removal(rec: Record) -> bool:
    return bool(rec["type"] == "foreign" and rec.get("action", "put") == "remove")


@dataclass
class LanePairing:
    """One lane's lines paired: same type, then leftovers across types, then what is left."""

    matched: list[tuple[Record, Record]] = field(default_factory=list)
    confused: list[tuple[Record, Record]] = field(default_factory=list)
    truth_left: list[Record] = field(default_factory=list)
    preds_left: list[Record] = field(default_factory=list)


def pair_lane(truth: list[Record], preds: list[Record], early: float, late: float) -> LanePairing:
    """Pair one lane's true and predicted events (truth, pred) as the scorer counts them."""
    out = LanePairing()
    used_t: set[int] = set()
    used_p: set[int] = set()
    # foreign puts are matched before foreign removals, so a neutral pairing never costs a hit
    for kind, removal in (("pick", False), ("put", False), ("foreign", False), ("foreign", True)):
        ti = [i for i, r in enumerate(truth) if r["type"] == kind and is_removal(r) == removal]
        pj = [j for j, r in enumerate(preds) if r["type"] == kind and j not in used_p]
        for a, b in match([truth[i] for i in ti], [preds[j] for j in pj], early, late):
            used_t.add(ti[a])
            used_p.add(pj[b])
            out.matched.append((truth[ti[a]], preds[pj[b]]))
    left_t = [i for i in range(len(truth)) if i not in used_t]
    left_p = [j for j in range(len(preds)) if j not in used_p]
    for a, b in match([truth[i] for i in left_t], [preds[j] for j in left_p], early, late):
        used_t.add(left_t[a])
        used_p.add(left_p[b])
        out.confused.append((truth[left_t[a]], preds[left_p[b]]))
    out.truth_left = [r for i, r in enumerate(truth) if i not in used_t]
    out.preds_left = [r for j, r in enumerate(preds) if j not in used_p]
    return out


def _lane_events(
    s: Scores, truth: list[Record], preds: list[Record], early: float, late: float
) -> None:
    pairing = pair_lane(truth, preds, early, late)
    for tr, pr in pairing.matched:
        if is_removal(tr):
            s.neutral += 1
            continue
        s.matched += 1
        s.count_right_n += pr["count"] == tr["count"]
        if tr["type"] == "foreign":
            s.foreign_matched += 1
        else:
            s.qty_checked += 1
            s.qty_right_n += pr["qty"] == tr["qty"]
    for tr, pr in pairing.confused:
        label = "foreign_removal" if is_removal(tr) else tr["type"]
        s.confusions[f"{label}->{pr['type']}"] += 1


def _events(s: Scores, truth: list[Record], preds: list[Record], early: float, late: float) -> None:
    t_lanes, p_lanes = _by_lane(truth, EVENT_TYPES), _by_lane(preds, EVENT_TYPES)
    before = s.neutral
    for lane in sorted(set(t_lanes) | set(p_lanes)):
        _lane_events(s, t_lanes.get(lane, []), p_lanes.get(lane, []), early, late)
    scored = [r for r in truth if r["type"] in EVENT_TYPES and not is_removal(r)]
    s.truth_events += len(scored)
    s.foreign_truth += sum(1 for r in scored if r["type"] == "foreign")
    s.predicted_events += sum(len(p) for p in p_lanes.values()) - (s.neutral - before)


def _empties(records: list[Record], early: float, late: float) -> list[tuple[float, float, float]]:
    """(window start, emptied at, window end) for each time the lane was empty."""
    out, opened = [], None
    for rec in sorted(records, key=lambda r: float(r["t"])):
        if rec["type"] == "out_of_stock" and opened is None:
            opened = (_start(rec) - early, float(rec["t"]))
        elif rec["type"] == "restocked" and opened is not None:
            out.append((opened[0], opened[1], float(rec["t"]) + late))
            opened = None
    if opened is not None:
        out.append((opened[0], opened[1], math.inf))
    return out


def _stock(s: Scores, truth: list[Record], preds: list[Record], early: float, late: float) -> None:
    t_lanes, p_lanes = _by_lane(truth, STOCK_TYPES), _by_lane(preds, STOCK_TYPES)
    for lane in sorted(set(t_lanes) | set(p_lanes)):
        empties = _empties(t_lanes.get(lane, []), early, late)
        s.oos_true += len(empties)
        seen: set[int] = set()
        raised = sorted(float(p["t"]) for p in p_lanes.get(lane, []) if p["type"] == "out_of_stock")
        for tp in raised:
            inside = [k for k, (a, _, b) in enumerate(empties) if a <= tp <= b]
            if not inside:
                s.false_oos += 1
                continue
            hit = next((k for k in inside if k not in seen), None)
            if hit is not None:  # else a repeat while the lane is still empty: not false
                seen.add(hit)
                s.oos_latencies.append(tp - empties[hit][1])
        refills = [r for r in t_lanes.get(lane, []) if r["type"] == "restocked"]
        said = [p for p in p_lanes.get(lane, []) if p["type"] == "restocked"]
        s.restock_true += len(refills)
        for a, b in match(refills, said, early, RESTOCK_LATE_S):
            s.restock_latencies.append(float(said[b]["t"]) - float(refills[a]["t"]))


def score(
    truth: list[Record],
    predicted: list[Record],
    *,
    early_s: float = EARLY_S,
    late_s: float = LATE_S,
) -> Scores:
    """Score one trace's replay lines against its truth (both lists of dicts)."""
    truth = [check_truth(rec, f"truth[{i}]") for i, rec in enumerate(truth)]
    predicted = [check_prediction(rec, f"predicted[{i}]") for i, rec in enumerate(predicted)]
    s = Scores(traces=1)
    if not any(r["type"] in EVENT_TYPES + STOCK_TYPES for r in truth):
        s.quiet_traces = 1
        s.events_on_quiet = sum(1 for p in predicted if p["type"] in EVENT_TYPES)
    else:
        _events(s, truth, predicted, early_s, late_s)
    _stock(s, truth, predicted, early_s, late_s)
    return s
