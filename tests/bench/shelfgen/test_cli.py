"""`python -m bench.shelfgen`: the commands other engineers script against."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.shelfgen import FAMILIES
from bench.shelfgen.cli import main
from bench.shelfgen.records import read_truth, write_jsonl


def _json_out(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out.strip().splitlines()
    result: dict[str, object] = json.loads(out[-1])
    return result


def test_module_lists_families() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.shelfgen", "families"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for family in FAMILIES:
        assert any(line.startswith(family + " ") for line in out.splitlines())
    assert "1000" in out


def test_generate_writes_the_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t"
    argv = ["generate", "--family", "mixed", "--seed", "5", "--minutes", "2", "--rate", "10"]
    assert main([*argv, "--out", str(out)]) == 0
    summary = _json_out(capsys)
    lines = (out / "trace.csv").read_text().splitlines()
    assert lines[0] == "t,lane,grams"
    assert len(lines) - 1 == summary["samples"]
    t, lane, grams = lines[1].split(",")
    float(t), float(grams)
    lanes = yaml.safe_load((out / "lanes.yaml").read_text())
    assert lane in lanes
    assert all(
        set(v) == {"sku", "unit_weight_g", "capacity", "low_stock_at"} for v in lanes.values()
    )
    truth = read_truth(out / "truth.jsonl")
    assert truth[0]["family"] == "mixed"
    assert truth[0]["seed"] == 5


def test_quiet_takes_hours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["generate", "--family", "quiet", "--seed", "1", "--hours", "0.02", "--rate", "10"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    summary = _json_out(capsys)
    assert summary["minutes"] == pytest.approx(1.2)
    assert summary["events"] == 0


def test_score_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["generate", "--family", "clean", "--seed", "2", "--minutes", "3", "--out", str(tmp_path)])
    capsys.readouterr()
    assert main(["naive", str(tmp_path), "--out", str(tmp_path / "pred.jsonl")]) == 0
    argv = [
        "score",
        "--truth",
        str(tmp_path / "truth.jsonl"),
        "--pred",
        str(tmp_path / "pred.jsonl"),
    ]
    assert main([*argv, "--lanes", str(tmp_path / "lanes.yaml")]) == 0
    result = _json_out(capsys)
    assert {"precision", "recall", "f1", "qty_right", "foreign_recall", "false_oos"} <= set(result)
    assert result["unknown_lanes"] == 0
    assert result["tolerance_s"] == {"early": 1.0, "late": 5.0}


def test_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["generate", "--family", "clean", "--seed", "2", "--minutes", "1", "--out", str(tmp_path)])
    pred = tmp_path / "pred.jsonl"
    write_jsonl(pred, [{"t": 1.0, "lane": "L1", "type": "pick", "qty": "one", "count": 1}])
    argv = ["score", "--truth", str(tmp_path / "truth.jsonl"), "--pred", str(pred)]
    assert main(argv) == 2
    assert "'qty' must be an integer" in capsys.readouterr().err
    pred.write_text("{not json\n")
    assert main(argv) == 2
    assert "pred.jsonl:1: not JSON" in capsys.readouterr().err
    assert main([*argv[:-1], str(tmp_path / "missing.jsonl")]) == 2
