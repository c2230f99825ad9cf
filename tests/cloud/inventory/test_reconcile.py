"""The shelf-vs-system rule (pure): each branch, and properties over any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cloud.inventory.reconcile import ACTIONS, SHRINK_AFTER, ShelfFacts, classify, reconcile, worst

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def facts(shelf: int, system: str, state: str, waited: timedelta | None = None) -> ShelfFacts:
    since = None if waited is None else NOW - waited
    return ShelfFacts("SKU", "Item", shelf, Decimal(system), state, since)


def test_each_branch() -> None:
    assert classify(facts(5, "3", "ok"), NOW).action == "recount"
    assert classify(facts(5, "9", "ok"), NOW).action == "ok"
    assert classify(facts(1, "1.5", "low"), NOW).action == "reorder"
    assert classify(facts(0, "0", "out"), NOW).action == "reorder"
    assert classify(facts(1, "10", "low", timedelta(hours=1)), NOW).action == "replenish"
    assert classify(facts(0, "10", "out", SHRINK_AFTER), NOW).action == "shrink"
    assert classify(facts(0, "10", "out", timedelta(hours=1)), NOW, timedelta(0)).action == "shrink"
    assert worst(["ok", "out", "low"]) == "out"
    assert worst([]) == "ok"


@given(
    shelf=st.integers(0, 10_000),
    system=st.decimals(-1000, 10_000, places=3, allow_nan=False, allow_infinity=False),
    state=st.sampled_from(["ok", "low", "out"]),
    waited=st.none() | st.timedeltas(timedelta(0), timedelta(days=30)),
)
def test_properties(shelf: int, system: Decimal, state: str, waited: timedelta | None) -> None:
    v = classify(facts(shelf, str(system), state, waited), NOW)
    assert v.backroom == system - shelf
    assert v.action in ACTIONS
    if v.action in ("replenish", "shrink"):
        assert v.backroom >= 1
        assert state != "ok"
    if state == "ok" and v.backroom >= 0:
        assert v.action == "ok"
    if v.action == "recount":
        assert v.backroom < 0


def test_needing_action_first() -> None:
    rows = [facts(5, "9", "ok"), facts(0, "10", "out", timedelta(days=1)), facts(0, "0", "out")]
    assert [v.action for v in reconcile(rows, NOW)] == ["shrink", "reorder", "ok"]
