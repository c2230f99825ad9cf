"""Truth is consistent (the count chain) and the script keeps its fairness rules."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.shelfgen import FAMILIES, Trace, generate
from bench.shelfgen.lanes import distinguishable
from bench.shelfgen.records import chain_problems
from bench.shelfgen.shopfloor import END_MARGIN_S, START_S

EVENTFUL = [f for f in FAMILIES if f != "quiet"]


def _moves(trace: Trace) -> list[dict[str, Any]]:
    return [r for r in trace.truth if r["type"] in ("pick", "put", "foreign")]


@settings(max_examples=15, deadline=None)
@given(family=st.sampled_from(EVENTFUL), seed=st.integers(0, 10_000))
def test_count_chain_holds(family: str, seed: int) -> None:
    trace = generate(family, seed, minutes=20)
    assert chain_problems(trace.truth) == []
    capacity = {lane: entry["capacity"] for lane, entry in trace.lanes.items()}
    for rec in trace.truth:
        if "count" in rec:
            assert 0 <= rec["count"] <= capacity[rec["lane"]]


@pytest.mark.parametrize("family", EVENTFUL)
def test_touches_of_a_lane_never_overlap_and_stay_inside_the_trace(family: str) -> None:
    trace = generate(family, 5, minutes=20)
    for plan in trace.plans:
        for a, b in zip(plan.contacts, plan.contacts[1:], strict=False):
            assert b.t0 - a.t1 >= 1.0
        for c in plan.contacts:
            assert START_S <= c.t0 < c.t1 <= trace.duration_s - END_MARGIN_S
            for tc, _, ramp in c.changes:
                assert c.t0 < tc
                assert tc + ramp < c.t1  # the item has moved before the hand leaves


def test_every_family_has_a_few_hundred_events_per_40_minutes() -> None:
    for family in EVENTFUL:
        n = len(_moves(generate(family, 2, minutes=20)))
        assert 75 <= n <= 450, family


def test_quiet_has_no_events() -> None:
    trace = generate("quiet", 4, minutes=24 * 60)
    assert {r["type"] for r in trace.truth} == {"trace", "init"}


def test_families_switch_their_activity_phenomena() -> None:
    kinds = {f: Counter(r["type"] for r in generate(f, 1, minutes=20).truth) for f in EVENTFUL}
    assert kinds["foreign"]["foreign"] >= 10
    assert kinds["stockout"]["out_of_stock"] >= 2
    for family in ("clean", "touch", "spikes", "noise"):
        assert kinds[family]["foreign"] == 0
        assert kinds[family]["out_of_stock"] == 0  # shoppers leave the last unit
    multi = generate("multi", 1, minutes=20)
    picks = [r for r in multi.truth if r["type"] == "pick"]
    assert {2, 3, 4} <= {r["qty"] for r in picks}


def test_multi_has_quick_succession_and_both_hands() -> None:
    trace = generate("multi", 3, minutes=20)
    moves = _moves(trace)
    by_lane: dict[str, list[dict[str, Any]]] = {}
    for m in moves:
        by_lane.setdefault(m["lane"], []).append(m)
    quick = [
        (a, b)
        for mine in by_lane.values()
        for a, b in itertools.pairwise(mine)
        if float(b["t_start"]) - float(a["t"]) < 2.5
    ]
    assert any(a["type"] == "pick" and b["type"] == "put" for a, b in quick)
    lane_ids = trace.lane_ids
    both = [
        (a, b)
        for a in moves
        for b in moves
        if lane_ids.index(b["lane"]) == lane_ids.index(a["lane"]) + 1
        and a["t_start"] < b["t"]
        and b["t_start"] < a["t"]
    ]
    assert both


def test_foreign_objects_come_and_go_and_are_distinguishable() -> None:
    trace = generate("foreign", 7)
    lanes = {lane.id: lane for lane in trace.physical}
    on_lane: dict[str, dict[str, Any]] = {}
    removed = 0
    for rec in trace.truth:
        if rec["type"] != "foreign":
            continue
        if rec["action"] == "put":
            assert rec["lane"] not in on_lane  # one at a time
            lane = lanes[rec["lane"]]
            assert distinguishable(rec["delta_g"], lane, lane.capacity)
            on_lane[rec["lane"]] = rec
        else:
            assert on_lane.pop(rec["lane"])["delta_g"] == -rec["delta_g"]
            removed += 1
    assert removed >= 5
    assert {r["object"] for r in trace.truth if r["type"] == "foreign"} & {"unknown"}
    assert any(str(r.get("object", "")).startswith("sku:") for r in trace.truth)


def test_lanes_are_plausible() -> None:
    for seed in range(20):
        lanes = generate("clean", seed, minutes=1).lanes
        weights = [entry["unit_weight_g"] for entry in lanes.values()]
        assert len(lanes) == 8
        assert min(weights) < 60
        assert max(weights) > 1000
        assert all(25 <= w <= 2000 for w in weights)
        for entry in lanes.values():
            assert set(entry) == {"sku", "unit_weight_g", "capacity", "low_stock_at"}
            assert 4 <= entry["capacity"] <= 40
            assert 1 <= entry["low_stock_at"] < entry["capacity"]
