"""Trace directories: trace.csv (``t,lane,grams``), lanes.yaml and truth.jsonl."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bench.shelfgen.exceptions import TraceFileError
from bench.shelfgen.records import Record, read_truth, write_jsonl
from bench.shelfgen.trace import Chunk, Trace

HEADER = "t,lane,grams"
READ_ROWS = 100_000
LANE_FIELDS = ("sku", "unit_weight_g", "capacity", "low_stock_at")


def write_csv(trace: Trace, path: Path) -> int:
    """Stream the samples to ``path``, one chunk per write; returns the number of rows."""
    ids, rows = trace.lane_ids, 0
    with path.open("w", encoding="ascii", newline="\n") as fh:
        fh.write(HEADER + "\n")
        for chunk in trace.chunks():
            n = len(chunk.t)
            cells: list[object] = [None] * (3 * n)
            cells[0::3] = chunk.t.tolist()
            cells[1::3] = [ids[i] for i in chunk.lane.tolist()]
            cells[2::3] = chunk.grams.tolist()
            fh.write(("%.4f,%s,%.2f\n" * n) % tuple(cells))
            rows += n
    return rows


def write_lanes(lanes: dict[str, dict[str, Any]], path: Path) -> None:
    plain = {
        lane: {k: (float(v) if k == "unit_weight_g" else v) for k, v in entry.items()}
        for lane, entry in lanes.items()
    }
    path.write_text(yaml.safe_dump(plain, sort_keys=False), encoding="utf-8")


def write_dir(trace: Trace, out: Path) -> int:
    """DIR/trace.csv, DIR/lanes.yaml, DIR/truth.jsonl; returns the number of samples."""
    out.mkdir(parents=True, exist_ok=True)
    write_lanes(trace.lanes, out / "lanes.yaml")
    write_jsonl(out / "truth.jsonl", trace.truth)
    return write_csv(trace, out / "trace.csv")


def read_lanes(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TraceFileError(f"{path}: cannot read lanes ({exc})") from exc
    if not isinstance(data, dict) or not data:
        raise TraceFileError(f"{path}: expected a mapping of lane id to its fields")
    for lane, entry in data.items():
        missing = [k for k in LANE_FIELDS if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise TraceFileError(f"{path}: lane {lane!r} lacks {', '.join(missing)}")
    return {str(k): v for k, v in data.items()}


class FileTrace:
    """A trace directory read back as chunks (streamed, never all in memory)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lanes = read_lanes(directory / "lanes.yaml")
        self.lane_ids = list(self.lanes)
        truth = directory / "truth.jsonl"
        self.truth: list[Record] = read_truth(truth) if truth.exists() else []

    def chunks(self) -> Iterator[Chunk]:
        index = {lane: i for i, lane in enumerate(self.lane_ids)}
        path = self.directory / "trace.csv"
        with path.open(encoding="ascii") as fh:
            if fh.readline().strip() != HEADER:
                raise TraceFileError(f"{path}: the header must be {HEADER!r}")
            line_no = 1
            while batch := list(islice(fh, READ_ROWS)):
                try:
                    rows = [line.rstrip("\n").split(",") for line in batch]
                    t = np.array([float(r[0]) for r in rows])
                    lane = np.array([index[r[1]] for r in rows], dtype=np.int64)
                    grams = np.array([float(r[2]) for r in rows])
                except (ValueError, KeyError, IndexError) as exc:
                    raise TraceFileError(
                        f"{path}: bad row between lines {line_no + 1} and {line_no + len(batch)}"
                        f" ({exc!r})"
                    ) from exc
                line_no += len(batch)
                yield Chunk(t=t, lane=lane, grams=grams)

    def samples(self) -> Iterator[tuple[float, str, float]]:
        for chunk in self.chunks():
            for t, lane, g in zip(
                chunk.t.tolist(), chunk.lane.tolist(), chunk.grams.tolist(), strict=True
            ):
                yield t, self.lane_ids[lane], g
