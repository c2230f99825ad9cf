"""Shared test helpers: run the pure pipeline over a rendered synthetic trace."""

from __future__ import annotations

from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.simulation import Action, NoiseModel, SimLane, render


def spec_of(lane: SimLane) -> LaneSpec:
    return LaneSpec(
        lane=lane.lane,
        sku=lane.sku,
        unit_weight_g=lane.mu,
        capacity=lane.capacity,
        low_stock_at=lane.low_stock_at,
    )


def run_trace(
    lanes: list[SimLane],
    actions: list[Action],
    duration_s: float,
    *,
    noise: NoiseModel | None = None,
    seed: int = 0,
    initial_grams: dict[str, float] | None = None,
) -> tuple[dict[str, list[LaneEvent]], dict[str, LanePipeline]]:
    t, grams = render(
        lanes, actions, duration_s, noise=noise, seed=seed, initial_grams=initial_grams
    )
    events: dict[str, list[LaneEvent]] = {}
    pipes: dict[str, LanePipeline] = {}
    times = t.tolist()
    for lane in lanes:
        pipe = LanePipeline(spec_of(lane))
        out: list[LaneEvent] = []
        for ti, gi in zip(times, grams[lane.lane].tolist(), strict=True):
            out.extend(pipe.feed(ti, gi))
        events[lane.lane] = out
        pipes[lane.lane] = pipe
    return events, pipes


def kinds(events: list[LaneEvent], *types: str) -> list[tuple[str, int, int]]:
    return [(e.type, e.qty, e.count) for e in events if not types or e.type in types]
