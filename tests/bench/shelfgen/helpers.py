"""Measurements on generated samples (what a physicist would check with a scope)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from bench.shelfgen import Trace

Array = npt.NDArray[np.float64]


def lane_samples(trace: Trace) -> dict[str, tuple[Array, Array]]:
    """Every lane's (times, grams), gathered from the streamed chunks."""
    parts: dict[int, list[tuple[Array, Array]]] = {i: [] for i in range(len(trace.lane_ids))}
    for chunk in trace.chunks():
        for i in parts:
            mine = chunk.lane == i
            parts[i].append((chunk.t[mine], chunk.grams[mine]))
    return {
        trace.lane_ids[i]: (np.concatenate([p[0] for p in ps]), np.concatenate([p[1] for p in ps]))
        for i, ps in parts.items()
    }


def window(tx: tuple[Array, Array], a: float, b: float) -> Array:
    t, x = tx
    return x[(t >= a) & (t < b)]


def level(tx: tuple[Array, Array], a: float, b: float) -> float:
    """Median reading over [a, b): the settled weight, whatever a few spikes do."""
    return float(np.median(window(tx, a, b)))


def events(trace: Trace, *kinds: str) -> list[dict[str, Any]]:
    return [r for r in trace.truth if r["type"] in kinds]


def units(trace: Trace) -> dict[str, float]:
    return {lane: float(entry["unit_weight_g"]) for lane, entry in trace.lanes.items()}
