"""The scorer's rules: perfect is 1.0, and each kind of mistake is counted where it belongs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.shelfgen import FAMILIES, combine, generate, score
from bench.shelfgen.exceptions import RecordError
from bench.shelfgen.score import EARLY_S, LATE_S, match

Rec = dict[str, Any]
EVENTFUL = [f for f in FAMILIES if f != "quiet"]


def perfect(truth: list[Rec], delay: float = 0.8) -> list[Rec]:
    """What an ideal detector would print, ``delay`` seconds after each hand leaves."""
    out = []
    for r in truth:
        if r["type"] in ("pick", "put", "out_of_stock", "restocked") or (
            r["type"] == "foreign" and r["action"] == "put"
        ):
            qty = r["qty"] if r["type"] in ("pick", "put") else 0
            line = {"t": r["t"] + delay, "lane": r["lane"], "type": r["type"], "qty": qty}
            out.append({**line, "count": r["count"]})
    return sorted(out, key=lambda p: p["t"])


def _init(lane: str, count: int) -> Rec:
    return {"t": 0.0, "lane": lane, "type": "init", "count": count}


def _ev(t: float, lane: str, kind: str, qty: int, count: int, **kw: Any) -> Rec:
    return {
        "t": t,
        "t_start": t - 1.5,
        "lane": lane,
        "type": kind,
        "qty": qty,
        "count": count,
        **kw,
    }


def _line(t: float, lane: str, kind: str, qty: int = 1, count: int = 0) -> Rec:
    return {"t": t, "lane": lane, "type": kind, "qty": qty, "count": count}


TRUTH = [
    _init("A", 3),
    _init("B", 5),
    _ev(10.0, "A", "pick", 1, 2),
    _ev(20.0, "B", "put", 2, 7),
    _ev(30.0, "A", "pick", 2, 0),
    _ev(30.0, "A", "out_of_stock", 0, 0),
    _ev(60.0, "A", "put", 4, 4, by="clerk"),
    _ev(60.0, "A", "restocked", 0, 4),
    _ev(70.0, "B", "foreign", 1, 7, action="put", object="unknown"),
    _ev(90.0, "B", "foreign", 1, 7, action="remove", object="unknown"),
]


@settings(max_examples=12, deadline=None)
@given(family=st.sampled_from(EVENTFUL), seed=st.integers(0, 999), delay=st.floats(0.0, 4.9))
def test_a_perfect_prediction_scores_one(family: str, seed: int, delay: float) -> None:
    truth = generate(family, seed, minutes=15).truth
    s = score(truth, perfect(truth, delay))
    assert s.f1 == s.precision == s.recall == 1.0
    assert (s.qty_right, s.count_right) == (1.0, 1.0)
    assert s.foreign_recall in (None, 1.0)
    assert (s.oos_missed, s.false_oos) == (0, 0)
    assert all(abs(lat - delay) < 1e-9 for lat in s.oos_latencies)


def test_hand_made_truth_perfect() -> None:
    s = score(TRUTH, perfect(TRUTH))
    assert (s.truth_events, s.matched, s.predicted_events) == (5, 5, 5)
    assert (s.foreign_truth, s.foreign_matched) == (1, 1)
    assert s.oos_true == 1
    assert s.oos_latencies == [pytest.approx(0.8)]
    assert (s.restock_true, len(s.restock_latencies)) == (1, 1)


@settings(max_examples=30, deadline=None)
@given(k=st.integers(0, 4), shift=st.floats(0.01, 100.0), late=st.booleans())
def test_a_shifted_event_is_a_miss_and_a_false_positive(k: int, shift: float, late: bool) -> None:
    preds = [p for p in perfect(TRUTH, 0.0) if p["type"] in ("pick", "put", "foreign")]
    truth_k = [r for r in TRUTH if r["type"] in ("pick", "put", "foreign")][k]
    preds[k]["t"] = truth_k["t"] + LATE_S + shift if late else truth_k["t_start"] - EARLY_S - shift
    s = score(TRUTH, preds)
    assert (s.matched, s.truth_events) == (4, 5)
    assert s.recall == 0.8
    # a foreign line shifted onto the removal of that object is neutral, not a false positive
    assert s.predicted_events + s.neutral == 5


@pytest.mark.parametrize("offset", [-EARLY_S - 1.5 + 0.01, 0.0, LATE_S - 0.01])
def test_inside_the_tolerance_still_matches(offset: float) -> None:
    preds = perfect(TRUTH, 0.0)
    for p in preds:
        p["t"] += offset
    assert score(TRUTH, preds).f1 == 1.0


def test_a_duplicated_line_is_one_false_positive() -> None:
    preds = perfect(TRUTH)
    preds.append(dict(preds[0], t=preds[0]["t"] + 0.5))
    s = score(TRUTH, preds)
    assert (s.matched, s.predicted_events, s.recall) == (5, 6, 1.0)
    assert s.precision == pytest.approx(5 / 6)


def test_a_missing_line_lowers_recall_only() -> None:
    preds = [p for p in perfect(TRUTH) if not (p["type"] == "put" and p["lane"] == "B")]
    s = score(TRUTH, preds)
    assert (s.recall, s.precision) == (0.8, 1.0)


def test_wrong_quantity_is_matched_but_not_right() -> None:
    preds = perfect(TRUTH)
    next(p for p in preds if p["type"] == "pick")["qty"] = 16
    s = score(TRUTH, preds)
    assert s.f1 == 1.0
    assert s.qty_right == pytest.approx(3 / 4)


def test_wrong_type_is_a_miss_a_false_positive_and_a_confusion() -> None:
    preds = perfect(TRUTH)
    pick = next(p for p in preds if p["type"] == "pick" and p["qty"] == 2)
    pick["type"], pick["qty"] = "foreign", 0
    s = score(TRUTH, preds)
    assert (s.matched, s.predicted_events) == (4, 5)
    assert s.confusions == {"pick->foreign": 1}


def test_foreign_removal_is_neutral_unless_called_a_pick() -> None:
    silent = score(TRUTH, perfect(TRUTH))
    said = score(TRUTH, [*perfect(TRUTH), _line(91.0, "B", "foreign", 0, 7)])
    wrong = score(TRUTH, [*perfect(TRUTH), _line(91.0, "B", "pick", 1, 6)])
    assert silent.f1 == said.f1 == 1.0
    assert said.neutral == 1
    assert wrong.precision == pytest.approx(5 / 6)
    assert wrong.confusions == {"foreign_removal->pick": 1}


def test_out_of_stock_latency_miss_and_false_alarms() -> None:
    events = [p for p in perfect(TRUTH) if p["type"] not in ("out_of_stock",)]
    late = score(TRUTH, [*events, _line(39.5, "A", "out_of_stock", 0, 0)])
    assert late.oos_latencies == [pytest.approx(9.5)]
    assert late.false_oos == 0
    missed = score(TRUTH, events)
    assert (missed.oos_missed, missed.oos_latency_median_s) == (1, None)
    false = score(
        TRUTH, [*perfect(TRUTH), _line(15.0, "A", "out_of_stock"), _line(5.0, "B", "out_of_stock")]
    )
    assert false.false_oos == 2
    twice = score(TRUTH, [*perfect(TRUTH), _line(45.0, "A", "out_of_stock")])
    assert (twice.false_oos, len(twice.oos_latencies)) == (0, 1)
    after_refill = score(TRUTH, [*events, _line(70.0, "A", "out_of_stock")])
    assert (after_refill.false_oos, after_refill.oos_missed) == (1, 1)


def test_quiet_trace_counts_every_event_line() -> None:
    truth = [{"type": "trace"}, _init("A", 3)]
    s = score(
        truth, [_line(5.0, "A", "pick"), _line(9.0, "A", "low_stock"), _line(9.0, "A", "put")]
    )
    assert (s.quiet_traces, s.events_on_quiet) == (1, 2)
    assert (s.precision, s.f1) == (None, None)
    assert s.as_dict()["events_on_quiet"] == 2


def test_combine_pools_counts() -> None:
    a = score(TRUTH, perfect(TRUTH))
    b = score(TRUTH, [p for p in perfect(TRUTH) if p["type"] != "put"])
    both = combine([a, b])
    assert (both.truth_events, both.matched) == (10, a.matched + b.matched)
    assert (both.traces, len(both.oos_latencies)) == (2, 2)


def _max_matching(windows: list[tuple[float, float]], points: list[float]) -> int:
    """Brute force (augmenting paths) for comparison."""
    owner: dict[int, int] = {}

    def grab(j: int, seen: set[int]) -> bool:
        for i, (a, b) in enumerate(windows):
            if a <= points[j] <= b and i not in seen:
                seen.add(i)
                if i not in owner or grab(owner[i], seen):
                    owner[i] = j
                    return True
        return False

    return sum(grab(j, set()) for j in range(len(points)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 50), st.floats(0, 6)), max_size=8),
    st.lists(st.floats(-5, 60), max_size=8),
)
def test_matching_is_maximum(spans: list[tuple[float, float]], points: list[float]) -> None:
    truth = [{"t": a + d, "t_start": a} for a, d in spans]
    preds = [{"t": p} for p in points]
    pairs = match(truth, preds, 0.0, 0.0)
    assert len({i for i, _ in pairs}) == len({j for _, j in pairs}) == len(pairs)
    for i, j in pairs:
        assert truth[i]["t_start"] <= preds[j]["t"] <= truth[i]["t"]
    assert len(pairs) == _max_matching([(a, a + d) for a, d in spans], points)


@pytest.mark.parametrize(
    "bad",
    [
        {"lane": "A", "type": "pick", "qty": 1, "count": 1},
        {"t": float("nan"), "lane": "A", "type": "pick", "qty": 1, "count": 1},
        {"t": 1.0, "lane": "A", "type": "pick", "qty": True, "count": 1},
        {"t": 1.0, "lane": "A", "type": "uncertain", "qty": 1, "count": 1},
        {"t": 1.0, "lane": 3, "type": "pick", "qty": 1, "count": 1},
        ["not", "an", "object"],
    ],
)
def test_bad_prediction_lines_are_refused_by_name(bad: Any) -> None:
    with pytest.raises(RecordError, match=r"predicted\[\d+\]"):
        score(copy.deepcopy(TRUTH), [bad])


def test_a_new_foreign_item_right_after_a_removal_is_still_a_hit() -> None:
    truth = [
        _init("A", 3),
        _ev(10.0, "A", "foreign", 1, 3, action="put", object="unknown"),
        _ev(20.0, "A", "foreign", 1, 3, action="remove", object="unknown"),
        _ev(23.0, "A", "foreign", 1, 3, action="put", object="sku:X"),
    ]
    s = score(truth, [_line(10.5, "A", "foreign", 0, 3), _line(24.5, "A", "foreign", 0, 3)])
    assert (s.foreign_matched, s.neutral, s.f1) == (2, 0, 1.0)


def test_an_empty_soon_after_a_refill_is_detected_on_its_own() -> None:
    truth = [
        _init("A", 1),
        _ev(10.0, "A", "pick", 1, 0),
        _ev(10.0, "A", "out_of_stock", 0, 0),
        _ev(14.0, "A", "put", 1, 1),
        _ev(14.0, "A", "restocked", 0, 1),
        _ev(17.0, "A", "pick", 1, 0),
        _ev(17.0, "A", "out_of_stock", 0, 0),
    ]
    s = score(truth, perfect(truth, 1.0))
    assert s.oos_latencies == [pytest.approx(1.0), pytest.approx(1.0)]
    assert s.false_oos == 0
