"""Run every benchmark and rewrite the summary table at the top of docs/BENCHMARKS.md.

    .venv/bin/python -m bench [--quick] [--only NAME ...] [--no-write]

Each bench runs as its own process (``python -m bench.<name>``), so one crash or a leaked
thread cannot spoil the next. Result protocol: a bench may print lines
``BENCH-RESULT {"target": ..., "measured": ..., "baseline": ..., "ratio": ...}`` (JSON); when
it prints none, the extractor below reads its usual human output. A figure that cannot be
read is shown as "not parsed" with the bench's exit status, never guessed. The sections
below the table (one per area, written by each area's owner) are left untouched.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN = "<!-- bench-summary:begin (written by `python -m bench`) -->"
END = "<!-- bench-summary:end -->"
RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class Row:
    target: str
    measured: str
    baseline: str = ""
    ratio: str = ""


Extractor = Callable[[str], list[Row]]


def find(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.MULTILINE)


def grab(pattern: str, text: str, fmt: str) -> str:
    """``fmt`` filled with the pattern's groups, or "not parsed"."""
    m = find(pattern, text)
    return fmt.format(*m.groups()) if m else "not parsed"


def outbox(out: str) -> list[Row]:
    return [
        Row(
            "outbox append ≥ 5,000 events/s durable (issue 2)",
            grab(r"8 threads \(group\) :\s+(\d+) /s", out, "{}/s (8 threads, group commit)")
            + "; "
            + grab(r"emit_many\(50\)\s+:\s+(\d+) /s", out, "{}/s emit_many(50)"),
            grab(r"naive commit per event:\s+(\d+) /s", out, "naive commit/event {}/s"),
            grab(r"target 5000: ([\d.]+)x", out, "{}× target"),
        ),
        Row(
            "outbox drain ≥ 0.5× raw paho (issue 2)",
            grab(
                r"Link drain(?:, acked)?\s+: best\s+(\d+) msg/s\s+median\s+(\d+)",
                out,
                "{}/s best, {}/s median (to the end-to-end ack)",
            ),
            grab(
                r"raw paho : best\s+(\d+) msg/s\s+median\s+(\d+)", out, "raw {}/s best, {}/s median"
            ),
            grab(r"ratio link/raw\s+: best ([\d.]+)\s+median ([\d.]+)", out, "{} best / {} median"),
        ),
    ]


def ingest(out: str) -> list[Row]:
    return [
        Row(
            "ingest ≥ 3,000 events/s and ≥ 0.4× null subscriber (issue 3)",
            grab(r"ingest → PostgreSQL:\s+([\d,]+) events/s", out, "{} events/s"),
            grab(r"baseline null subscriber: ([\d,]+) events/s", out, "null subscriber {}/s"),
            grab(r"ratio ingest/null: ([\d.]+)", out, "{}"),
        )
    ]


def scan(out: str) -> list[Row]:
    ratios = re.findall(r"^(\w+)\s+\|.*\|\s+([\d.]+|inf)$", out, re.MULTILINE)
    worst = min((float(r) for _, r in ratios), default=None)
    pipe = find(
        r"^pipeline all:\s+([\d.]+)%\s+median ([\d.]+) ms.*accepted (\d+) right / (\d+) wrong",
        out,
    )
    clean = find(r"^clean\s+\|\s+([\d.]+)%", out)
    return [
        Row(
            "scan pipeline ≥ best single decoder in every class (issue 4)",
            f"worst class ratio {worst:.2f}" if worst is not None else "not parsed",
            "best of zxing-cpp / pyzbar per class",
            f"{worst:.2f}" if worst is not None else "",
        ),
        Row(
            "scan ≥ 99 % clean, median ≤ 15 ms, 0 wrong accepted (issue 4)",
            (
                f"clean {clean.group(1) if clean else '?'} %, median {pipe.group(2)} ms, "
                f"{pipe.group(4)} wrong accepted"
            )
            if pipe
            else "not parsed",
            grab(r"^zxing\s+all:.*median ([\d.]+) ms", out, "zxing-cpp median {} ms"),
            grab(r"pipeline median ms / fastest single decoder median ms = ([\d.]+)", out, "{}"),
        ),
    ]


def pricing(out: str) -> list[Row]:
    return [
        Row(
            "pricing a 100-line cart, 200 promotions ≤ 2 ms median (issue 4)",
            grab(r"200 promotions:\s+median ([\d.]+) ms", out, "{} ms"),
            grab(r"baseline \(no promotions\): median ([\d.]+) ms", out, "no promotions {} ms"),
            grab(r"ratio: ([\d.]+)x", out, "{}×"),
        )
    ]


def kiosk_memory(out: str) -> list[Row]:
    return [
        Row(
            "kiosk node RSS ≤ 200 MB (issue 4)",
            grab(r"RSS peak ([\d.]+) MB", out, "{} MB peak"),
            grab(r"bare python ([\d.]+) MB", out, "bare python {} MB"),
            grab(r"ratio ([\d.]+)x", out, "{}×"),
        )
    ]


def reports(out: str) -> list[Row]:
    return [
        Row(
            "store daily report ≤ 200 ms (issue 7)",
            grab(r"aggregate ([\d.]+) ms, raw [\d.]+ ms, ratio raw/aggregate", out, "{} ms"),
            grab(r"one month.*raw ([\d.]+) ms", out, "raw tables {} ms"),
            grab(r"one month.*ratio raw/aggregate ([\d.]+)x", out, "{}×"),
        ),
        Row(
            "chain-wide monthly top 50 ≤ 1 s (issue 7)",
            grab(r"top 50: aggregate ([\d.]+) ms", out, "{} ms"),
            grab(r"top 50: aggregate [\d.]+ ms, raw ([\d.]+) ms", out, "raw tables {} ms"),
            grab(r"top 50:.*ratio raw/aggregate ([\d.]+)x", out, "{}×"),
        ),
        Row(
            "forecast WAPE beats seasonal naive (issue 7)",
            grab(r"WAPE ([\d.]+), seasonal", out, "WAPE {}"),
            grab(r"seasonal-naive ([\d.]+)", out, "seasonal naive {}"),
            grab(r"ratio naive/model ([\d.]+)x", out, "{}×"),
        ),
    ]


def recommendations(out: str) -> list[Row]:
    return [
        Row(
            "recommendations hit rate@5 above popularity (issue 11)",
            grab(r"for_member hit rate@\d+:\s+([\d.]+)", out, "{}"),
            grab(r"popularity baseline hit rate@\d+: ([\d.]+)", out, "popularity {}"),
            grab(r"ratio: ([\d.]+)x", out, "{}×"),
        )
    ]


def fleet(out: str) -> list[Row]:
    return [
        Row(
            "fleet command round trip ≤ 20 ms, ≤ 3× raw",
            grab(r"command dispatcher:\s+median ([\d.]+) ms", out, "{} ms median"),
            grab(r"raw paho request/response: median ([\d.]+) ms", out, "raw {} ms"),
            grab(r"ratio: ([\d.]+)×", out, "{}×"),
        )
    ]


@dataclass(frozen=True)
class Bench:
    name: str
    extract: Extractor
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()

    def command(self, quick: bool) -> list[str]:
        return [
            ".venv/bin/python",
            "-m",
            f"bench.{self.name}",
            *(self.quick if quick else self.full),
        ]


BENCHES = (
    Bench("outbox", outbox, quick=("--events", "4000", "--rounds", "1")),
    Bench("ingest", ingest, quick=("--events", "3000")),
    Bench("pricing", pricing, quick=("--runs", "100")),
    Bench(
        "scan", scan, quick=("--views-per-class", "6", "--frames-per-view", "2", "--memory-s", "3")
    ),
    Bench("scan_photos", lambda _out: [], quick=("--seeds", "1", "--per-class", "10")),
    Bench("kiosk_memory", kiosk_memory),
    Bench(
        "shelf",
        lambda _out: [],  # prints BENCH-RESULT lines
        quick=("--seeds", "1000", "--minutes", "10", "--quiet-hours", "1"),
    ),
    Bench("reports", reports, quick=("--lines", "200000", "--repeat", "5")),
    Bench("recommendations", recommendations),
    Bench("fleet", fleet, quick=("--n", "100")),
    Bench("stocktake", lambda _out: []),  # prints BENCH-RESULT lines
)


def protocol_rows(out: str) -> list[Row]:
    rows = []
    for line in out.splitlines():
        if line.startswith(RESULT_PREFIX):
            doc = json.loads(line[len(RESULT_PREFIX) :])
            rows.append(
                Row(**{k: str(doc.get(k, "")) for k in ("target", "measured", "baseline", "ratio")})
            )
    return rows


def run(bench: Bench, quick: bool) -> tuple[list[Row], str, float]:
    cmd = bench.command(quick)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    took = time.monotonic() - t0
    out = proc.stdout
    rows = protocol_rows(out) or bench.extract(out)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1][:120]
        for row in rows:
            if row.measured.startswith("not parsed"):
                row.measured = f"not measured: exit {proc.returncode} ({tail})"
    return rows, out + proc.stderr, took


def kept_rows(rerun: set[str]) -> list[str]:
    """Table lines of benches not run this time (``--only``), from the current document."""
    if not DOC.exists():
        return []
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return []
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    out = []
    for line in block.splitlines():
        m = re.search(r"`\.venv/bin/python -m bench\.(\w+)", line)
        if line.startswith("| ") and m and m.group(1) not in rerun:
            out.append(line)
    return out


def table(
    results: list[tuple[Bench, list[Row], float]], quick: bool, when: str, kept: list[str]
) -> str:
    mode = "quick (`--quick`: smaller corpora, fewer rounds)" if quick else "full"
    lines = [
        BEGIN,
        "## Summary",
        "",
        f"Written by `.venv/bin/python -m bench{' --quick' if quick else ''}` on {when}, {mode}"
        + (
            f" (rerun: {', '.join(b.name for b, _, _ in results)}; the other rows are kept from"
            " the run before)."
            if kept
            else "."
        )
        + " Machine: 2-core VM shared with the team's test runs (figures swing ≈2× between runs;"
        " each area's section below has repeated runs and the details). Baselines are measured"
        " in the same run.",
        "",
        "| target | measured | baseline | ratio | command |",
        "|---|---|---|---|---|",
    ]
    fresh: dict[str, list[str]] = {}
    for bench, rows, _ in results:
        cmd = "`" + " ".join(bench.command(quick)) + "`"
        fresh[bench.name] = [
            f"| {r.target} | {r.measured} | {r.baseline} | {r.ratio} | {cmd} |" for r in rows
        ]
    for bench in BENCHES:  # registry order, whether fresh or kept from the last full run
        if bench.name in fresh:
            lines += fresh[bench.name]
        else:
            lines += [
                k for k in kept if f"-m bench.{bench.name}`" in k or f"-m bench.{bench.name} " in k
            ]
    lines += ["", END, ""]
    return "\n".join(lines)


def write(summary: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + summary.rstrip("\n") + tail
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n{summary}{body}"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smaller corpora, for a smoke run")
    parser.add_argument("--only", nargs="*", default=None, help="Bench names to run")
    parser.add_argument("--no-write", action="store_true", help="Print the table only")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    unknown = set(args.only or ()) - {b.name for b in BENCHES}
    if unknown:
        parser.error(f"unknown bench(es): {', '.join(sorted(unknown))}")
    console = Console()
    results: list[tuple[Bench, list[Row], float]] = []
    logs = Path(tempfile.gettempdir()) / "smartstore-bench"  # full outputs, for the sections
    logs.mkdir(exist_ok=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("benchmarks", total=len(chosen))
        for bench in chosen:
            progress.update(task, description=f"bench.{bench.name}")
            rows, output, took = run(bench, args.quick)
            (logs / f"{bench.name}.log").write_text(output, encoding="utf-8")
            results.append((bench, rows, took))
            progress.console.print(f"bench.{bench.name}: {took:.0f} s, {len(rows)} figure(s)")
            progress.advance(task)
    kept = kept_rows({b.name for b in chosen}) if args.only else []
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    summary = table(results, args.quick, when, kept)
    console.print(summary)
    if not args.no_write:
        write(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
