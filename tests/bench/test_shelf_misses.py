"""The miss classifier puts each leftover line in the kind the scorer's pairing implies."""

from __future__ import annotations

from bench.shelf_misses import KINDS, Misses, lane_misses, summary, trace_misses


def _true(kind: str, t: float, qty: int = 1, **extra: object) -> dict[str, object]:
    return {"type": kind, "lane": "a1", "t": t, "t_start": t - 2.0, "qty": qty, **extra}


def _said(kind: str, t: float, qty: int = 1) -> dict[str, object]:
    return {"type": kind, "lane": "a1", "t": t, "qty": qty}


def test_a_pick_said_in_two_grabs_is_a_wrong_quantity_and_a_split() -> None:
    out = Misses("mixed", 1, 0.9)
    lane_misses(out, "a1", [_true("pick", 10.0, 4)], [_said("pick", 9.5, 3), _said("pick", 11.0)])
    assert out.kinds == {"qty": 1, "split": 1}
    assert "pick of 4 said 3" in out.lines[0]


def test_missed_confused_extra_and_a_foreign_removal_left_alone() -> None:
    out = Misses("mixed", 1, 0.5)
    truth = [
        _true("put", 10.0),
        _true("pick", 100.0),
        _true("foreign", 200.0, action="remove"),
    ]
    lane_misses(out, "a1", truth, [_said("pick", 10.5), _said("pick", 400.0)])
    assert out.kinds == {"confused": 1, "missed": 1, "extra": 1}
    assert any("confused put->pick" in line for line in out.lines)
    assert any("missed: pick of 1" in line for line in out.lines)


def test_a_generated_trace_is_sorted_and_summed() -> None:
    run = trace_misses(("mixed", 9001, 2.0, 40.0))
    assert run.truth_events > 0
    assert set(run.kinds) <= set(KINDS)
    assert len(run.lines) == sum(run.kinds.values())
    rows = summary([run])
    assert rows[1].startswith("mixed")
    assert f"{run.truth_events:6d}" in rows[1]
