"""Reading and checking truth and prediction records (JSON lines)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bench.shelfgen.exceptions import RecordError

Record = dict[str, Any]
REPLAY_TYPES = frozenset({"pick", "put", "foreign", "low_stock", "out_of_stock", "restocked"})
EVENT_KINDS = frozenset({"pick", "put", "foreign"})
TRUTH_TYPES = frozenset({"trace", "init", "pick", "put", "foreign", "out_of_stock", "restocked"})


def _number(rec: Record, key: str, where: str) -> float:
    value = rec.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RecordError(f"{where}: {key!r} must be a finite number, got {value!r}")
    return float(value)


def _integer(rec: Record, key: str, where: str) -> int:
    value = rec.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{where}: {key!r} must be an integer, got {value!r}")
    return value


def check_prediction(rec: object, where: str) -> Record:
    """A replay line (SPEC §3): t, lane, type, qty, count."""
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    if rec.get("type") not in REPLAY_TYPES:
        raise RecordError(f"{where}: 'type' must be one of {sorted(REPLAY_TYPES)}")
    if not isinstance(rec.get("lane"), str):
        raise RecordError(f"{where}: 'lane' must be a string")
    _number(rec, "t", where)
    _integer(rec, "qty", where)
    _integer(rec, "count", where)
    return rec


def check_truth(rec: object, where: str) -> Record:
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    kind = rec.get("type")
    if kind not in TRUTH_TYPES:
        raise RecordError(f"{where}: 'type' must be one of {sorted(TRUTH_TYPES)}")
    if kind == "trace":
        return rec
    if not isinstance(rec.get("lane"), str):
        raise RecordError(f"{where}: 'lane' must be a string")
    _number(rec, "t", where)
    if "t_start" in rec and _number(rec, "t_start", where) > rec["t"]:
        raise RecordError(f"{where}: 't_start' is after 't'")
    _integer(rec, "count", where)
    if kind in ("pick", "put"):
        _integer(rec, "qty", where)
    if kind == "foreign" and rec.get("action", "put") not in ("put", "remove"):
        raise RecordError(f"{where}: 'action' of a foreign record must be 'put' or 'remove'")
    return rec


def read_jsonl(path: Path) -> Iterator[tuple[str, object]]:
    """(where, parsed object) per non-blank line; a line that is not JSON raises RecordError."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordError(f"{where}: not JSON ({exc.msg})") from exc


def read_truth(path: Path) -> list[Record]:
    return [check_truth(obj, where) for where, obj in read_jsonl(path)]


def read_predictions(path: Path) -> list[Record]:
    return [check_prediction(obj, where) for where, obj in read_jsonl(path)]


def write_jsonl(path: Path, records: Iterable[Record]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, separators=(",", ":")) + "\n")


def chain_problems(truth: list[Record]) -> list[str]:
    """Inconsistencies of a truth list: each lane's count must follow its events from init.

    pick: count = before - qty; put: count = before + qty; foreign, out_of_stock, restocked:
    unchanged; never negative; out_of_stock right after the count reaches 0 and restocked
    right after it leaves 0; records in time order.
    """
    problems: list[str] = []
    counts: dict[str, int] = {}
    empty: dict[str, bool] = {}
    last_t = -math.inf
    for n, rec in enumerate(truth):
        kind, lane = rec["type"], rec.get("lane", "")
        if kind == "trace":
            continue
        if float(rec["t"]) < last_t:
            problems.append(f"record {n}: out of time order")
        last_t = float(rec["t"])
        if kind == "init":
            counts[lane], empty[lane] = rec["count"], rec["count"] == 0
            continue
        if lane not in counts:
            problems.append(f"record {n}: lane {lane!r} has no init record")
            continue
        before = counts[lane]
        if kind in EVENT_KINDS and empty[lane] != (before == 0):
            problems.append(f"record {n}: {lane} stock state not recorded before this {kind}")
        step = {"pick": -1, "put": 1}.get(kind, 0) * int(rec.get("qty", 0))
        if rec["count"] != before + step or rec["count"] < 0:
            problems.append(
                f"record {n}: {kind} on {lane}: count {rec['count']}, expected {before + step}"
            )
        if kind == "out_of_stock" and (rec["count"] != 0 or empty[lane]):
            problems.append(f"record {n}: out_of_stock on {lane} that is not newly empty")
        if kind == "restocked" and (rec["count"] == 0 or not empty[lane]):
            problems.append(f"record {n}: restocked on {lane} that was not empty")
        if kind in ("out_of_stock", "restocked"):
            empty[lane] = kind == "out_of_stock"
        counts[lane] = rec["count"]
    problems += [
        f"{lane}: stock state not recorded at the end"
        for lane in counts
        if empty[lane] != (counts[lane] == 0)
    ]
    return problems
