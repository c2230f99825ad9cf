"""`generate`: a family and a seed make a Trace (lanes, streamed samples, truth)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bench.shelfgen import visits
from bench.shelfgen.disturb import disturb, draw_dropouts
from bench.shelfgen.exceptions import ShelfgenError
from bench.shelfgen.lanes import Lane, build_lanes
from bench.shelfgen.params import Params, draw_params
from bench.shelfgen.render import Array, LanePlan, Thermal, signal
from bench.shelfgen.shopfloor import Shopfloor

CHUNK_S = 60.0
HELD_OUT_FROM = 1000  # seeds >= 1000 are for the final report only, never for tuning
Record = dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    """Consecutive samples of all lanes in time order; ``lane`` indexes ``lane_ids``."""

    t: Array
    lane: npt.NDArray[np.int64]
    grams: Array


class Samples(Protocol):
    """What a detector reads: the lanes (as LANES.yaml) and the samples in chunks."""

    @property
    def lanes(self) -> dict[str, dict[str, Any]]: ...

    @property
    def lane_ids(self) -> list[str]: ...

    def chunks(self) -> Iterator[Chunk]: ...


class Trace:
    """A generated trace. Samples are rendered chunk by chunk on every call (streaming)."""

    def __init__(
        self,
        params: Params,
        seed: int,
        rate_hz: float,
        duration_s: float,
        lanes: list[Lane],
        plans: list[LanePlan],
        truth: list[Record],
    ) -> None:
        self.params, self.seed, self.rate_hz, self.duration_s = params, seed, rate_hz, duration_s
        self.family = params.family
        self.physical = lanes
        self.plans = plans
        self.truth = truth
        self._code = zlib.crc32(params.family.encode())
        rng = np.random.default_rng([seed, self._code, 2])
        self.thermal = Thermal.draw(rng, params.drift, duration_s) if params.drift else None
        self.dropouts = (
            draw_dropouts(rng, params.rails, duration_s) if params.rails else np.zeros((0, 2))
        )

    @property
    def lanes(self) -> dict[str, dict[str, Any]]:
        """LANES.yaml: lane id -> sku, unit_weight_g, capacity, low_stock_at."""
        return {lane.id: lane.yaml_entry() for lane in self.physical}

    @property
    def lane_ids(self) -> list[str]:
        return [lane.id for lane in self.physical]

    def _lane_chunk(self, i: int, start: float, end: float, chunk: int) -> tuple[Array, Array]:
        lane = self.physical[i]
        k0 = math.ceil((start - lane.phase_s) * lane.rate_hz)
        k1 = math.ceil((end - lane.phase_s) * lane.rate_hz)
        t = lane.phase_s + np.arange(max(k0, 0), k1, dtype=np.float64) / lane.rate_hz
        if len(t) == 0:
            return t, t
        x = signal(self.plans[i], t, self.thermal)
        rng = np.random.default_rng([self.seed, self._code, 3, i, chunk])
        return disturb(rng, lane, t, x, self.params.spikes, self.params.rails, self.dropouts)

    def chunks(self) -> Iterator[Chunk]:
        """All samples, one minute at a time, sorted by time (ties by lane order)."""
        for c in range(math.ceil(self.duration_s / CHUNK_S)):
            start, end = c * CHUNK_S, min((c + 1) * CHUNK_S, self.duration_s)
            parts = [self._lane_chunk(i, start, end, c) for i in range(len(self.physical))]
            t = np.concatenate([p[0] for p in parts])
            lane = np.concatenate(
                [np.full(len(p[0]), i, dtype=np.int64) for i, p in enumerate(parts)]
            )
            grams = np.concatenate([p[1] for p in parts])
            order = np.lexsort((lane, t))
            yield Chunk(t=t[order], lane=lane[order], grams=grams[order])

    def samples(self) -> Iterator[tuple[float, str, float]]:
        """(t, lane id, grams) in time order; a fresh stream on every call."""
        ids = self.lane_ids
        for chunk in self.chunks():
            for t, lane, grams in zip(
                chunk.t.tolist(), chunk.lane.tolist(), chunk.grams.tolist(), strict=True
            ):
                yield t, ids[lane], grams


def _initial_records(floor: Shopfloor, trace_meta: Record) -> list[Record]:
    records = [trace_meta]
    for lane, st in zip(floor.lanes, floor.states, strict=True):
        records.append(
            {
                "t": 0.0,
                "lane": lane.id,
                "type": "init",
                "count": len(st.units),
                "grams": round(sum(st.units), 2),
                "sku": lane.sku,
                "cell_g": lane.cell_g,
                "sigma_g": round(lane.sigma_g, 3),
                "spread": round(lane.spread, 4),
            }
        )
    return records


def generate(
    family: str,
    seed: int,
    *,
    minutes: float = 40,
    rate_hz: float = 40,
    activity: float | None = None,
    lanes: int = 8,
) -> Trace:
    """A trace of ``family`` (see FAMILIES); ``activity`` = shopper visits/min on the shelf."""
    if seed < 0 or minutes <= 0 or rate_hz <= 0 or lanes < 2:
        raise ShelfgenError("seed >= 0, minutes > 0, rate_hz > 0 and lanes >= 2 are required")
    code = zlib.crc32(family.encode())
    rng = np.random.default_rng([seed, code, 0])
    params = draw_params(family, rng, activity)
    shelf = build_lanes(rng, params, rate_hz, lanes)
    duration = minutes * 60.0
    floor = Shopfloor(np.random.default_rng([seed, code, 1]), params, shelf, duration)
    meta: Record = {
        "type": "trace",
        "family": family,
        "seed": seed,
        "held_out": seed >= HELD_OUT_FROM,
        "rate_hz": rate_hz,
        "duration_s": duration,
        "phenomena": list(params.phenomena),
        "visits_per_min": round(params.activity.events_per_min, 3),
        "numpy": np.__version__,  # random streams are reproducible for one numpy version
    }
    truth = _initial_records(floor, meta)
    loads = [(st.load_t, float(sum(st.units))) for st in floor.states]
    visits.run(floor)
    truth.extend(floor.truth)
    plans = [
        LanePlan.build(lane, load_t, load_g, [c for c in floor.contacts if c.lane == i])
        for i, (lane, (load_t, load_g)) in enumerate(zip(shelf, loads, strict=True))
    ]
    return Trace(params, seed, rate_hz, duration, shelf, plans, truth)
