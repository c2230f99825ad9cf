"""Server-side SVG charts: no JavaScript, no CDN, so they work offline and print. Pure."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from cloud.reports.table import Report

WIDTH, HEIGHT = 720, 300
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 24, 72
MAX_BARS = 60


def _num(value: object) -> float:
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _fmt(v: float) -> str:
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.2f}"


def render(report: Report, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The report's chart (bar or line of one column) as a standalone SVG document."""
    title = escape(report.title)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}" '
        'font-family="sans-serif" font-size="11">'
        f"<title>{title}</title>"
    )
    if report.chart is None or not report.rows:
        return head + (
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">No data</text></svg>'
        )
    spec = report.chart
    labels = [str(v) if v is not None else "" for v in report.column(spec.x)][:MAX_BARS]
    values = [_num(v) for v in report.column(spec.y)][:MAX_BARS]
    top = max(max(values), 0.0) or 1.0
    low = min(min(values), 0.0)
    span = top - low or 1.0
    plot_w, plot_h = width - PAD_L - PAD_R, height - PAD_T - PAD_B

    def y_of(v: float) -> float:
        return PAD_T + plot_h * (top - v) / span

    parts = [head, f'<text x="{PAD_L}" y="14" font-weight="bold">{title} — {escape(spec.y)}</text>']
    for i in range(5):
        v = low + span * i / 4
        y = y_of(v)
        parts.append(
            f'<line x1="{PAD_L}" x2="{width - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    step = plot_w / len(values)
    every = max(1, len(values) // 20)
    if spec.kind == "line" and len(values) > 1:
        pts = " ".join(
            f"{PAD_L + step * (i + 0.5):.1f},{y_of(v):.1f}" for i, v in enumerate(values)
        )
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    else:
        zero = y_of(0.0)
        for i, v in enumerate(values):
            y = min(y_of(v), zero)
            h = abs(zero - y_of(v))
            parts.append(
                f'<rect x="{PAD_L + step * i + step * 0.1:.1f}" y="{y:.1f}" '
                f'width="{step * 0.8:.1f}" height="{h:.1f}" fill="#1f6feb">'
                f"<title>{escape(labels[i])}: {escape(_fmt(v))}</title></rect>"
            )
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_L + step * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{height - PAD_B + 12}" text-anchor="end" '
            f'transform="rotate(-45 {x:.1f} {height - PAD_B + 12})">{escape(label[:18])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
