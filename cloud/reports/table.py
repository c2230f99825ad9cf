"""A report is a titled table; JSON, CSV, the SVG chart and the printable page all read it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Cell = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class Chart:
    """Which columns to draw: ``x`` labels and one numeric ``y`` series."""

    x: str
    y: str
    kind: Literal["bar", "line"] = "bar"


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts: money and quantities as decimal strings, dates ISO."""
        return [
            {c: json_cell(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows
        ]

    def column(self, name: str) -> list[Cell]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


def json_cell(value: Cell) -> str | int | float | None:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_csv(report: Report) -> str:
    """RFC 4180 CSV with a header row; cells starting with =+-@ are quoted against formula
    injection when opened in a spreadsheet."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(report.columns)
    for row in report.rows:
        writer.writerow([_safe(json_cell(v)) for v in row])
    return buf.getvalue()


def _safe(value: str | int | float | None) -> str | int | float:
    if value is None:
        return ""
    if (isinstance(value, str) and value[:1] in ("=", "+", "@", "\t", "\r")) or (
        isinstance(value, str) and value.startswith("-") and not _numeric(value)
    ):
        return "'" + value
    return value


def _numeric(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
