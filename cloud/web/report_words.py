"""Reports as a manager reads them: a copy of a :class:`Report` with its title, column
names, coded cells (category, alert type, movement kind…) and notes from the message
catalogs, money columns with the currency sign. The API, CSV and print keep raw names."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from cloud.reports.table import Cell, Chart, Report
from cloud.web.formats import money
from cloud.web.i18n import Translator

# Columns whose cells are codes with a catalog word: column → catalog prefix.
CODED = {
    "category": "category",
    "type": "alert",
    "kind": "move",
    "reason": "reason",
    "tier": "tier",
    "segment": "segment",
}
MONEY = {
    "total", "subtotal", "tax", "discount", "gross", "net", "value", "cost", "revenue",
    "avg_basket_value", "avg_basket", "discount_cost", "stock_value", "avg_cost",
    "points_liability", "sales", "baseline_sales", "net_profit", "gross_profit", "cogs",
    "expenses", "lost_value",
}  # fmt: skip
NOTES = (
    (re.compile(r"baseline: (\S+)\.\.(\S+)"), "rep.note.baseline"),
    (re.compile(r"points liability values"), "rep.note.points"),
    (re.compile(r"for out_of_stock, resolve time"), "rep.note.restock"),
    (re.compile(r"days_of_cover is empty"), "rep.note.cover"),
)


def column_name(t: Translator, column: str) -> str:
    return t(f"col.{column}") if t.has(f"col.{column}") else column.replace("_", " ")


def _unique(names: list[str], raw: list[str]) -> list[str]:
    """Rows are keyed by column name: two columns with one translation keep their raw name."""
    return [n if names.count(n) == 1 else f"{n} ({r})" for n, r in zip(names, raw, strict=True)]


def _cell(t: Translator, column: str, value: Cell, currency: str) -> Cell:
    if value is None:
        return None
    if column in CODED and isinstance(value, str):
        return t.word(CODED[column], value)
    if column in MONEY and isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return money(value, currency)
    return value


def _note(t: Translator, note: str) -> str:
    for pattern, key in NOTES:
        found = pattern.search(note)
        if found:
            return t(key, **{f"d{i}": v for i, v in enumerate(found.groups())})
    return note


def localize(report: Report, t: Translator, currency: str) -> Report:
    """The report with people's words; the chart draws the raw numbers of the same rows."""
    columns = _unique([column_name(t, c) for c in report.columns], report.columns)
    rows = [
        [_cell(t, c, v, currency) for c, v in zip(report.columns, row, strict=True)]
        for row in report.rows
    ]
    return replace(
        report,
        title=t(f"rep.{report.name}") if t.has(f"rep.{report.name}") else report.title,
        columns=columns,
        rows=rows,
        notes=[_note(t, n) for n in report.notes],
    )


def chart_report(report: Report, t: Translator) -> Report:
    """The raw report with translated title and axis names, for the SVG chart."""
    chart = report.chart
    labelled = None
    columns = _unique([column_name(t, c) for c in report.columns], report.columns)
    if chart is not None:
        name = dict(zip(report.columns, columns, strict=True))
        labelled = Chart(name[chart.x], name[chart.y], chart.kind)
    x_cells = report.columns.index(chart.x) if chart is not None else -1
    coded = CODED.get(chart.x) if chart is not None else None
    rows = [
        [t.word(coded, v) if i == x_cells and coded and isinstance(v, str) else v
         for i, v in enumerate(row)]
        for row in report.rows
    ]  # fmt: skip
    return replace(
        report,
        title=t(f"rep.{report.name}") if t.has(f"rep.{report.name}") else report.title,
        columns=columns,
        rows=rows,
        chart=labelled,
    )
