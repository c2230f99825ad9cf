"""``smartstore shelf replay``: the lane pipelines over a recorded ``t,lane,grams`` CSV.

Each lane starts at the count its first stable weight implies (weight / unit weight,
rounded): the trace is assumed tared. Bad rows are reported with their line number and
skipped; they never stop the replay.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.exceptions import TraceError
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.settings import DetectionSettings

HEADER = ["t", "lane", "grams"]


def read_trace(
    stream: TextIO, on_error: Callable[[TraceError], None]
) -> Iterator[tuple[float, str, float | None]]:
    """Rows as ``(t, lane, grams)``; an empty grams cell is a failed read (``None``)."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        on_error(TraceError("line 1: empty file, expected header t,lane,grams"))
        return
    except csv.Error as exc:
        on_error(TraceError(f"line 1: {exc}"))
        return
    if [h.strip().lower() for h in header] != HEADER:
        on_error(TraceError(f"line 1: header must be t,lane,grams (got {','.join(header)[:60]})"))
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            on_error(TraceError(f"line {reader.line_num}: {exc}"))
            continue
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 3:
            on_error(TraceError(f"line {line}: expected 3 fields t,lane,grams, got {len(row)}"))
            continue
        t_text, lane, g_text = (c.strip() for c in row)
        try:
            t = float(t_text)
            grams = float(g_text) if g_text else None
        except ValueError:
            on_error(TraceError(f"line {line}: not a number in {','.join(row)[:60]!r}"))
            continue
        if not math.isfinite(t) or (grams is not None and not math.isfinite(grams)):
            on_error(TraceError(f"line {line}: t and grams must be finite numbers"))
            continue
        yield t, lane, grams


def replay(
    rows: Iterable[tuple[float, str, float | None]],
    lanes: dict[str, LaneSpec],
    settings: DetectionSettings | None = None,
    on_error: Callable[[TraceError], None] | None = None,
) -> Iterator[LaneEvent]:
    """Feed rows in file order to their lane's pipeline; yield events as they happen."""
    pipelines = {lane: LanePipeline(spec, settings) for lane, spec in lanes.items()}
    unknown: set[str] = set()
    for t, lane, grams in rows:
        pipe = pipelines.get(lane)
        if pipe is None:
            if lane not in unknown and on_error is not None:
                on_error(TraceError(f"lane {lane!r} (t={t}) is not in the lanes file; skipped"))
            unknown.add(lane)
            continue
        yield from pipe.feed(t, grams)
