"""The fault fleet's plan and its verdicts, from REST-shaped alerts and dead letters."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from simulators.faultplan import (
    KINDS,
    BadUpdate,
    NodeFacts,
    UpdateFacts,
    judge,
    judge_update,
    store_faults,
)
from simulators.scenario import ClockSkew, DiskFull, NodeCrash, PaymentTimeout, SensorStuck

START, WINDOW = 10 * 3600.0, 600.0
NONE = NodeFacts()


def plan(stores: int, seed: int = 1) -> list[list[Any]]:
    return [
        store_faults(i, seed=seed, start=START, window=WINDOW, lanes=3, skew_s=3 * 86_400.0)
        for i in range(stores)
    ]


def test_every_kind_is_played_and_each_fault_fits_the_window() -> None:
    faults = [f for store in plan(len(KINDS)) for f in store]
    assert Counter(f.kind for f in faults) == dict.fromkeys(KINDS, 2)
    for f in faults:
        assert START + 60 <= f.at <= START + WINDOW / 2
        span = getattr(f, "duration", None) or getattr(f, "down_for", 0.0)
        assert f.at + span <= START + 0.85 * WINDOW  # over before the broker restarts
    assert plan(4, seed=1) == plan(4, seed=1)
    assert plan(4, seed=1) != plan(4, seed=2)


def alert(kind: str, source: str, resolved: bool) -> dict[str, Any]:
    at = "2026-03-02T10:05:00+00:00"
    resolved_at = at if resolved else None
    return {"type": kind, "source": source, "opened_at": at, "resolved_at": resolved_at}


def test_an_alert_fault_needs_its_alert_raised_and_cleared() -> None:
    crash = NodeCrash(kind="node_crash", at="10:00", node="kiosk-2", down_for=60.0)
    other = alert("device_offline", "kiosk-1", True)
    assert not judge("s", crash, [other], set(), NONE).ok
    open_one = alert("device_offline", "kiosk-2", False)
    verdict = judge("s", crash, [other, open_one], set(), NONE)
    assert not verdict.ok
    assert verdict.outcome == "0 of 1 alert(s) cleared after"
    assert judge("s", crash, [alert("device_offline", "kiosk-2", True)], set(), NONE).ok
    stuck = SensorStuck(kind="sensor_stuck", at="10:00", lane="l3", duration=60.0)
    verdict = judge("s", stuck, [], set(), NONE)
    assert not verdict.ok
    assert "not raised: device_fault shelf-1/lane:l3" in verdict.detected


def test_a_skewed_clock_shows_as_its_sales_held_and_timeouts_as_settlements() -> None:
    skew = ClockSkew(kind="clock_skew", at="10:00", node="kiosk-1", offset=1e5, duration=60.0)
    facts = NodeFacts(skewed_sales=frozenset({"a", "b"}))
    verdict = judge("s", skew, [], {"a", "b", "x"}, facts)
    assert verdict.ok
    assert verdict.detected == "2 of 2 skewed sale(s) held: in the future"
    assert not judge("s", skew, [], {"a"}, facts).ok  # "b" was applied or lost
    timeout = PaymentTimeout(kind="payment_timeout", at="10:00", node="kiosk-1", count=2)
    settled = NodeFacts(charges={"lost": 1, "cancelled": 1, "captured": 5})
    assert judge("s", timeout, [], set(), settled).ok
    assert not judge("s", timeout, [], set(), NodeFacts(charges={"captured": 7})).ok


def test_a_full_disk_needs_its_storage_alert_raised_and_cleared_and_a_sale_after() -> None:
    full = DiskFull(kind="disk_full", at="10:00", node="kiosk-2", duration=60.0)
    cleared = [alert("device_fault", "kiosk-2/storage", resolved=True)]
    verdict = judge("s", full, cleared, set(), NodeFacts(refused=3, sales_after=2))
    assert verdict.ok
    assert verdict.detected == (
        "device_fault kiosk-2/storage; kiosk: 3 checkout step(s) refused, cannot save"
    )
    assert verdict.outcome == "1 of 1 alert(s) cleared after; 2 sale(s) after, none lost"
    assert not judge("s", full, cleared, set(), NodeFacts(refused=3, sales_after=0)).ok
    assert not judge("s", full, [], set(), NodeFacts(refused=3, sales_after=2)).ok  # not told
    still_open = [alert("device_fault", "kiosk-2/storage", resolved=False)]
    assert not judge("s", full, still_open, set(), NodeFacts(refused=3, sales_after=2)).ok


BAD = BadUpdate("s", "kiosk-3", "1.0.0", "1.2.0")
BACK = UpdateFacts(
    rollout="halted",
    halt_reason="ring canary: 1 of 1 finished nodes failed (100% > 20%)",
    statuses={"rolled_back": 1},
    reasons=("self-test failed: broker: not connected to the broker",),
    reported="1.0.0",
    current="1.0.0",
    starts=("1.0.0", "1.2.0", "1.0.0"),
    sold=5,
    sold_by_bad=4,
    applied=5,
    duplicates=0,
)


def test_a_bad_update_needs_the_halt_the_reason_the_way_back_and_every_sale_once() -> None:
    verdict = judge_update(BAD, BACK)
    assert verdict.ok, verdict
    assert (verdict.kind, verdict.target) == ("bad_update", "kiosk-3")
    assert "rollout halted: ring canary: " in verdict.detected
    assert "self-test failed: broker" in verdict.detected
    assert "ran 1.0.0>1.2.0>1.0.0, back on 1.0.0" in verdict.outcome
    wrong = [
        replace(BACK, rollout="running", halt_reason=None),  # never halted
        replace(BACK, halt_reason="ring all: 1 of 1 finished nodes failed (100% > 20%)"),
        replace(BACK, reasons=()),  # the node never said why
        replace(BACK, reasons=("download failed: 404",)),  # failed, but not its self-test
        replace(BACK, current="1.2.0", starts=("1.0.0", "1.2.0")),  # stayed on the bad one
        replace(BACK, reported="1.2.0"),  # the cloud never heard it come back
        replace(BACK, statuses={"failed": 1}),
        replace(BACK, applied=4),  # a sale lost
        replace(BACK, duplicates=1),  # a sale doubled
        replace(BACK, sold=0, sold_by_bad=0, applied=0),  # nothing sold: nothing shown
        replace(BACK, error="TimeoutError: timed out after 180 s: rollout halted"),
    ]
    for facts in wrong:
        assert not judge_update(BAD, facts).ok, facts
