"""Turning a Report into an HTTP response: JSON, CSV, SVG or a printable HTML page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import Response
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cloud.reports.charts import render as render_svg
from cloud.reports.table import Report, to_csv

Format = Literal["json", "csv", "svg", "html"]
TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def templates() -> Environment:
    """Built on first use (never at import); the console may load the same directory."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )


def body(report: Report) -> dict[str, object]:
    return {
        "report": report.name,
        "title": report.title,
        "params": report.params,
        "columns": report.columns,
        "rows": report.records(),
        "notes": report.notes,
    }


def respond(report: Report, fmt: Format, csv_url: str = "?format=csv") -> Response:
    if fmt == "csv":
        filename = f"{report.name}-{report.params.get('from', '')}-{report.params.get('to', '')}"
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename.strip("-")}.csv"'},
        )
    if fmt == "svg":
        return Response(render_svg(report), media_type="image/svg+xml")
    if fmt == "html":
        page = templates().get_template("report_print.html")
        return HTMLResponse(
            page.render(report=report, chart_svg=render_svg(report), csv_url=csv_url)
        )
    return JSONResponse(body(report))
