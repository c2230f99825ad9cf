"""The naive baseline: replay-format lines, reasonable on easy data, same from files."""

from __future__ import annotations

from pathlib import Path

from bench.shelfgen import generate, naive, score
from bench.shelfgen.files import FileTrace, write_dir
from bench.shelfgen.records import check_prediction


def test_lines_follow_the_replay_contract() -> None:
    lines = naive.detect(generate("stockout", 2, minutes=10))
    assert lines
    for n, line in enumerate(lines):
        check_prediction(line, f"line {n}")
    assert {line["type"] for line in lines} >= {"pick", "out_of_stock"}
    times = [line["t"] for line in lines]
    assert times == sorted(times)


def test_the_easy_family_is_easy_for_it() -> None:
    trace = generate("clean", 6, minutes=15)
    s = score(trace.truth, naive.detect(trace))
    assert s.f1 is not None
    assert s.f1 > 0.95
    assert s.qty_right is not None
    assert s.qty_right > 0.95


def test_hand_presses_fool_it() -> None:
    """The touch family is where a ten-minute detector falls over: presses look like puts."""
    trace = generate("touch", 6, minutes=15)
    s = score(trace.truth, naive.detect(trace))
    assert s.precision is not None
    assert s.precision < 0.95


def test_same_lines_from_a_written_directory(tmp_path: Path) -> None:
    trace = generate("spikes", 8, minutes=4, rate_hz=10)
    write_dir(trace, tmp_path)
    back = FileTrace(tmp_path)
    assert back.truth == trace.truth
    assert list(back.samples()) == list(trace.samples())
    assert naive.detect(back) == naive.detect(trace)
