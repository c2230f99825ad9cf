"""The baseline table: one row per family, a pooled row, quiet counted apart."""

from __future__ import annotations

import pytest

from bench.shelfgen.exceptions import ShelfgenError
from bench.shelfgen.report import COLUMNS, baseline_table, parse_seeds


def test_parse_seeds() -> None:
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("1,5,9") == [1, 5, 9]
    assert parse_seeds("0-1,1000") == [0, 1, 1000]
    with pytest.raises(ShelfgenError, match="seeds must look like"):
        parse_seeds("a-b")


def test_table_rows() -> None:
    table = baseline_table(["clean", "quiet"], [0], minutes=2, rate_hz=10, quiet_hours=0.05)
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0] == "| " + " | ".join(COLUMNS) + " |"
    cells = {row.split(" | ")[0][2:]: row.split(" | ") for row in rows[1:]}
    assert set(cells) == {"clean", "quiet", "all"}
    assert cells["quiet"][1] == "0"  # no true events
    assert cells["quiet"][-1].rstrip(" |").isdigit()  # events on quiet: a number
    assert cells["clean"][-1].startswith("–")
