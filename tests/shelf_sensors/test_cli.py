"""``smartstore shelf replay`` on bad input: messages naming the line, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smartstore.cli import build_app

LANES = "a1: {sku: chips, unit_weight_g: 78, capacity: 10, low_stock_at: 1}\n"


def _replay(tmp_path: Path, csv_text: str, lanes: str = LANES):
    (tmp_path / "t.csv").write_text(csv_text)
    (tmp_path / "lanes.yaml").write_text(lanes)
    runner = CliRunner()
    return runner.invoke(
        build_app(),
        ["shelf", "replay", str(tmp_path / "t.csv"), "--lanes", str(tmp_path / "lanes.yaml")],
    )


def test_bad_rows_are_reported_by_line_and_skipped(tmp_path: Path) -> None:
    rows = ["t,lane,grams"]
    rows += [f"{i / 80},a1,{780.0 + (i % 3) * 0.2}" for i in range(800)]  # 10 units
    rows.insert(5, "abc,a1,12")
    rows.insert(9, "1.0,a1")
    rows.insert(12, "1.1,zz,5")
    rows.insert(15, "1.2,a1,nan")
    rows += [f"{10 + i / 80},a1,{702.0 + (i % 3) * 0.2}" for i in range(400)]  # one picked
    result = _replay(tmp_path, "\n".join(rows) + "\n")
    assert result.exit_code == 0
    assert "line 6: not a number" in result.stderr
    assert "line 10: expected 3 fields" in result.stderr
    assert "lane 'zz'" in result.stderr
    assert "line 16: t and grams must be finite" in result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["type"], e["qty"], e["count"]) for e in events] == [("pick", 1, 9)]
    assert set(events[0]) == {"t", "lane", "type", "qty", "count"}


def test_bad_header_and_bad_lanes_file(tmp_path: Path) -> None:
    result = _replay(tmp_path, "time,lane,g\n1,a1,2\n")
    assert result.exit_code == 0
    assert "line 1: header must be t,lane,grams" in result.stderr
    result = _replay(tmp_path, "t,lane,grams\n", lanes="a1: {sku: chips}\n")
    assert result.exit_code == 2
    assert "lane a1: unit_weight_g" in result.stderr
    (tmp_path / "bin.csv").write_bytes(b"\x00\xff\xfe,,\n\x00")
    result = CliRunner().invoke(
        build_app(),
        ["shelf", "replay", str(tmp_path / "bin.csv"), "--lanes", str(tmp_path / "lanes.yaml")],
    )
    assert result.exit_code in (0, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_config(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "shelf.example.yaml"
    result = CliRunner().invoke(
        build_app(), ["shelf", "run", "--config", str(example), "--validate-config"]
    )
    assert result.exit_code == 0
    assert "4 lane(s)" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("identity: {store: demo, node: shelf-1}\nlanes: []\nloadcell: {type: fake}\n")
    result = CliRunner().invoke(build_app(), ["shelf", "run", "--config", str(bad)])
    assert result.exit_code == 2
    assert "lanes" in result.stderr
