"""The replay command and the live node (serial MCU over a pseudo-terminal → service →
outbox) give the same events on the same samples."""

from __future__ import annotations

import json
import math
import os
import threading
import time
import tty
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from typer.testing import CliRunner

from contracts.codec import decode_model
from contracts.messages import Envelope
from edge.config import OutboxSettings
from edge.outbox import Outbox
from shelf_sensors.calibration import Calibration
from shelf_sensors.detection import LaneEvent
from shelf_sensors.loadcell.protocol import format_line
from shelf_sensors.loadcell.serial_mcu import SerialLoadCell
from shelf_sensors.service import ShelfService
from shelf_sensors.simulation import Action, NoiseModel, SimLane, render
from smartstore.cli import build_app
from tests.shelf_sensors.helpers import spec_of

LANES = [
    SimLane("a1", "chips", mu=78.0, count=3, low_stock_at=1, capacity=10),
    SimLane("a2", "cola", mu=355.0, count=6, low_stock_at=2, capacity=12),
    SimLane("a3", "gum", mu=31.0, count=2, low_stock_at=1, capacity=30),
]
CALS = {
    "a1": Calibration(offset=120_000.0, scale=0.0025),
    "a2": Calibration(offset=-40_000.0, scale=0.003),
    "a3": Calibration(offset=5_000.0, scale=0.0021),
}
ACTIONS = [
    Action(5, "a1", "pick", 1, -78.5, 1.5, 100.0),
    Action(6, "a2", "pick", 2, -709.0, 2.0, 150.0),
    Action(7, "a3", "pick", 2, -62.4, 1.0, 60.0),  # a3 empties → out of stock
    Action(16, "a2", "foreign", 0, 78.2, 1.2, 50.0),
    Action(24, "a1", "put", 3, 234.0, 2.5, 120.0),
    Action(30, "a3", "put", 5, 156.0, 2.0, 80.0),  # restocked
]


def _samples() -> list[tuple[int, str, int | None]]:
    """(t_ms, lane, raw) in the order the MCU sends them."""
    t, grams = render(LANES, ACTIONS, 40.0, noise=NoiseModel(spike_rate=2e-3), seed=99)
    out: list[tuple[int, str, int | None]] = []
    for i, ti in enumerate(t.tolist()):
        for lane in LANES:
            g = float(grams[lane.lane][i])
            cal = CALS[lane.lane]
            raw = None if math.isnan(g) else round(cal.offset + g / cal.scale)
            out.append((round(ti * 1000), lane.lane, raw))
    return out


def replay(tmp_path: Path, samples: list[tuple[int, str, int | None]]) -> list[dict[str, Any]]:
    """The events the ``shelf replay`` command prints for the samples as a grams trace."""
    trace = tmp_path / "trace.csv"
    with trace.open("w") as f:
        f.write("t,lane,grams\n")
        for t_ms, lane, raw in samples:
            grams = "" if raw is None else repr(CALS[lane].grams(raw))
            f.write(f"{t_ms / 1000.0!r},{lane},{grams}\n")
    lanes_file = tmp_path / "lanes.yaml"
    lanes_file.write_text(
        yaml.safe_dump(
            {
                ln.lane: {
                    "sku": ln.sku,
                    "unit_weight_g": ln.mu,
                    "capacity": ln.capacity,
                    "low_stock_at": ln.low_stock_at,
                }
                for ln in LANES
            }
        )
    )
    result = CliRunner().invoke(
        build_app(), ["shelf", "replay", str(trace), "--lanes", str(lanes_file)]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def run_live_node(
    tmp_path: Path, samples: list[tuple[int, str, int | None]]
) -> tuple[list[LaneEvent], list[Envelope]]:
    """The live node: the samples as MCU lines through a pseudo-terminal into the service;
    returns the events it heard and the envelopes left in its outbox."""
    master, slave = os.openpty()
    tty.setraw(slave)
    outbox = Outbox.open(
        tmp_path / "node.sqlite3",
        "demo",
        "shelf-1",
        OutboxSettings(path=tmp_path / "node.sqlite3", sync="normal"),
    )
    cell = SerialLoadCell(os.ttyname(slave), [ln.lane for ln in LANES])
    live: list[LaneEvent] = []
    service = ShelfService([spec_of(ln) for ln in LANES], cell, outbox, calibrations=CALS)
    service.listeners.append(live.append)
    service.start()

    def write_all() -> None:
        data = b"".join(
            format_line(lane, t_ms, "NR" if raw is None else raw) for t_ms, lane, raw in samples
        )
        view = memoryview(data)
        while view:
            n = os.write(master, view[:4096])
            view = view[n:]

    writer = threading.Thread(target=write_all)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while service.processed < len(samples) and time.monotonic() < deadline:
            time.sleep(0.05)
        writer.join(timeout=10)
    finally:
        service.stop()
        os.close(master)
        os.close(slave)
    assert service.processed == len(samples)
    assert cell.bad_lines == 0
    rows = outbox.fetch_unsent(0, 10_000)
    envs = [decode_model(Envelope, row.payload) for row in rows]
    outbox.close()
    return live, envs


def test_replay_and_live_node_give_the_same_events(tmp_path: Path) -> None:
    samples = _samples()
    replayed = replay(tmp_path, samples)
    live, envs = run_live_node(tmp_path, samples)

    live_lines = [e.replay_line() for e in live]
    assert live_lines == replayed
    types = [e["type"] for e in replayed]
    for expected in ("pick", "put", "foreign", "out_of_stock", "restocked"):
        assert expected in types

    # What reached the outbox: one shelf_event per pick/put/foreign, a stock row per event.
    shelf = [e.data for e in envs if e.type == "shelf_event"]
    stock = [e.data for e in envs if e.type == "stock"]
    assert [(d["lane"], d["type"], d["qty"], d["count"]) for d in shelf] == [
        (e["lane"], e["type"], e["qty"], e["count"])
        for e in replayed
        if e["type"] in ("pick", "put", "foreign")
    ]
    assert len(stock) == len(replayed)
    assert {d["state"] for d in stock if d["lane"] == "a3"} >= {"out", "ok"}


def test_samples_are_noisy_enough_to_matter() -> None:
    """Guard: the shared trace really contains failed reads and spikes."""
    raws = [r for _, _, r in _samples()]
    assert any(r is None for r in raws)
    values = np.array([r for r in raws if r is not None], dtype=float)
    assert values.std() > 0
