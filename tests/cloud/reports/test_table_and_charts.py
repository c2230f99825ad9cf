"""CSV export and SVG charts: well-formed whatever the data (hostile names included)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cloud.reports.charts import render
from cloud.reports.table import Chart, Report, to_csv

SVG = "{http://www.w3.org/2000/svg}"


def _report(labels: list[str], values: list[Decimal], kind: str = "bar") -> Report:
    return Report(
        "r",
        'T <&> "x"',
        ["name", "value"],
        [[n, v] for n, v in zip(labels, values, strict=True)],
        chart=Chart("name", "value", kind),  # type: ignore[arg-type]
    )


@given(
    st.lists(
        st.tuples(st.text(max_size=30), st.decimals(-1e9, 1e9, places=2, allow_nan=False)),
        max_size=80,
    ),
    st.sampled_from(["bar", "line"]),
)
def test_any_labels_and_values_give_a_well_formed_svg(
    data: list[tuple[str, Decimal]], kind: str
) -> None:
    labels = ["".join(ch for ch in s if ch.isprintable()) for s, _ in data]
    svg = render(_report(labels, [v for _, v in data], kind))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    marks = root.findall(f"{SVG}rect") + root.findall(f"{SVG}polyline")
    assert (len(marks) > 0) == (len(data) > 0)


def test_script_in_a_label_stays_text() -> None:
    svg = render(_report(["<script>alert(1)</script>"], [Decimal(3)]))
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    assert root.find(f".//{SVG}script") is None


def test_csv_round_trips_and_neutralises_formulas() -> None:
    rep = Report(
        "r",
        "t",
        ["name", "amount", "day", "missing"],
        [
            ['=HYPERLINK("x")', Decimal("-12.50"), date(2026, 3, 1), None],
            ["plain, with comma", Decimal("3.00"), date(2026, 3, 2), None],
            ["-1+2", Decimal("0"), date(2026, 3, 3), None],
        ],
    )
    rows = list(csv.reader(io.StringIO(to_csv(rep))))
    assert rows[0] == ["name", "amount", "day", "missing"]
    assert rows[1] == ['\'=HYPERLINK("x")', "-12.50", "2026-03-01", ""]
    assert rows[2][0] == "plain, with comma"
    assert rows[3][0] == "'-1+2"
