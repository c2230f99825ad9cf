"""Server-rendered SVG line charts for the dashboard and the shelf map, drawn like the report
charts (cloud.reports.charts: same grid, fonts and blue), with a legend, a ``<title>`` per
point for hover and a text alternative (``aria-label``), so they work offline and print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 240
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 28, 36
GRID = 'stroke="#ddd"'
AXIS_END = 'text-anchor="end" fill="#333"'
AXIS_MID = 'text-anchor="middle" fill="#333"'
COLOURS = ("#1f6feb", "#6e7781")  # the reports' blue; grey for the comparison series


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    dashed: bool = False


def _fmt(v: float) -> str:
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def _points(values: Sequence[float | None], x_of: list[float], y_of: object) -> list[str]:
    return [f"{x_of[i]:.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None]  # type: ignore[operator]


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    chart_id: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """One line per series over shared x labels; ``None`` leaves a gap (hours not yet come)."""
    numbers = [v for s in series for v in s.values if v is not None]
    top = max(max(numbers, default=0.0), 0.0) or 1.0
    plot_w, plot_h = width - PAD_L - PAD_R, height - PAD_T - PAD_B
    n = max(len(labels), 1)
    x_of = [PAD_L + plot_w * (i + 0.5) / n for i in range(n)]

    def y_of(v: float) -> float:
        return PAD_T + plot_h * (top - v) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        'font-family="sans-serif" font-size="11" class="line-chart">'
        f"<title>{escape(label)}</title>"
    ]
    for i in range(5):
        v = top * i / 4
        y = y_of(v)
        parts.append(
            f'<line x1="{PAD_L}" x2="{width - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{_fmt(v)}</text>'
        )
    every = max(1, n // 12)
    for i, text in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x_of[i]:.1f}" y="{height - PAD_B + 14}" {AXIS_MID}>'
                f"{escape(text)}</text>"
            )
    for k, s in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        pts = _points(s.values, x_of, y_of)
        if len(pts) > 1:
            parts.append(
                f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
        for i, value in enumerate(s.values):
            if value is not None:
                tip = f"{s.name} {labels[i] if i < len(labels) else ''}: {_fmt(value)}"
                parts.append(
                    f'<circle cx="{x_of[i]:.1f}" cy="{y_of(value):.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(tip)}</title></circle>"
                )
        lx = PAD_L + k * 200
        parts.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="12" y2="12" stroke="{colour}" '
            f'stroke-width="3"{dash}/>'
        )
        parts.append(f'<text x="{lx + 30}" y="16" fill="#111">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  every text above is escaped


def empty_chart(text: str, width: int = WIDTH, height: int = 80) -> Markup:
    """The chart's place when a report has no rows, saying so in the reader's language."""
    label = escape(text)
    return Markup(  # noqa: S704  the only text is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}" font-family="sans-serif" '
        f'font-size="13"><text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
        f'fill="#333">{label}</text></svg>'
    )
