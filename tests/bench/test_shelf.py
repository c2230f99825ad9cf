"""``python -m bench.shelf``: both detectors scored per family on generated traces."""

from __future__ import annotations

import json

import pytest

from bench import shelf


def test_parse_seeds_takes_ranges_and_lists() -> None:
    assert shelf.parse_seeds("1000-1002,1005") == [1000, 1001, 1002, 1005]


def test_one_short_trace_prints_both_detectors_and_the_bench_results(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert shelf.main(["--families", "multi", "--seeds", "0", "--minutes", "1", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| multi |")]
    assert [r.split(" | ")[1] for r in rows] == ["pipeline", "naive"]
    events = int(rows[0].split(" | ")[2])
    assert events > 0
    results = [
        json.loads(line.removeprefix("BENCH-RESULT "))
        for line in out.splitlines()
        if line.startswith("BENCH-RESULT ")
    ]
    assert len(results) == 4
    assert results[3]["measured"].endswith("×")
