"""``smartstore shelf …``: run the node, tare, calibrate, replay a trace."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from shelf_sensors.config import ShelfConfig
    from shelf_sensors.loadcell.base import LoadCell

app = typer.Typer(no_args_is_help=True)

CONFIG = typer.Option(..., "--config", "-c", help="Shelf node YAML config")


def _load(config: Path) -> ShelfConfig:
    from edge.config import load_config
    from edge.exceptions import ConfigError
    from shelf_sensors.config import ShelfConfig

    try:
        return load_config(ShelfConfig, config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command("run", help="Run the shelf node.")
def run(
    config: Path = CONFIG,
    validate_config: bool = typer.Option(
        False, "--validate-config", help="Check the config, print a summary and exit."
    ),
) -> None:
    cfg = _load(config)
    if validate_config:
        typer.echo(f"ok: {len(cfg.lanes)} lane(s), load cells: {cfg.loadcell.type}")
        return
    from edge.runtime import Runtime
    from shelf_sensors.node import build_shelf_node

    node = build_shelf_node(cfg, config_path=config)
    try:
        Runtime(node.services).run()
    finally:
        node.close()


def _burst(cell: LoadCell, lane: str, n: int = 80, timeout: float = 10.0) -> list[int | None]:
    """``n`` raw readings of one lane from an open load cell source."""
    out: list[int | None] = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        out.extend(r.raw for r in cell.read(0.2) if r.lane == lane and r.status == "ok")
    return out


@app.command("tare", help="Zero lanes that are empty (asks for confirmation per lane).")
def tare(
    config: Path = CONFIG,
    lane: list[str] = typer.Option([], "--lane", "-l", help="Lane(s); default every lane"),
    yes: bool = typer.Option(False, "--yes", help="The lanes are empty: do not ask"),
) -> None:
    from shelf_sensors import calibration as cal_math
    from shelf_sensors.calibration_store import CalibrationStore
    from shelf_sensors.exceptions import CalibrationError
    from shelf_sensors.factory import build_loadcell
    from shelf_sensors.lanes import resolve

    cfg = _load(config)
    lanes = resolve(cfg.lanes, None, strict=False)
    chosen = lane or list(lanes)
    cell, cals = build_loadcell(cfg.loadcell, lanes)
    store = CalibrationStore(cfg.outbox.path)
    stored = store.load()
    cell.open()
    try:
        for name in chosen:
            if name not in lanes:
                typer.echo(f"unknown lane {name}", err=True)
                raise typer.Exit(2)
            empty = yes or typer.confirm(f"Is lane {name} empty (nothing on it, hands off)?")
            current = (
                stored.get(name)
                or cals.get(name)
                or cal_math.Calibration(0.0, cfg.default_scale_g_per_count)
            )
            try:
                new = cal_math.tare(current, _burst(cell, name), confirmed_empty=empty)
            except CalibrationError as exc:
                typer.echo(f"lane {name}: {exc}", err=True)
                continue
            store.save(name, new)
            typer.echo(f"lane {name}: zero at {new.offset:.0f} counts")
    finally:
        cell.close()
        store.close()


@app.command("calibrate", help="Two-point calibration of one lane with a known weight.")
def calibrate(
    config: Path = CONFIG,
    lane: str = typer.Option(..., "--lane", "-l", help="Lane to calibrate"),
    known_grams: float = typer.Option(..., "--known-grams", help="The reference weight, g"),
) -> None:
    from shelf_sensors import calibration as cal_math
    from shelf_sensors.calibration_store import CalibrationStore
    from shelf_sensors.exceptions import CalibrationError
    from shelf_sensors.factory import build_loadcell
    from shelf_sensors.lanes import resolve

    cfg = _load(config)
    lanes = resolve(cfg.lanes, None, strict=False)
    if lane not in lanes:
        typer.echo(f"unknown lane {lane}", err=True)
        raise typer.Exit(2)
    cell, _ = build_loadcell(cfg.loadcell, lanes)
    store = CalibrationStore(cfg.outbox.path)
    cell.open()
    try:
        typer.prompt(f"1/2 Empty lane {lane} completely, hands off, then press Enter", default="")
        empty = _burst(cell, lane)
        typer.prompt(
            f"2/2 Put {known_grams:g} g on lane {lane}, hands off, press Enter", default=""
        )
        loaded = _burst(cell, lane)
        try:
            new = cal_math.two_point(empty, loaded, known_grams)
        except CalibrationError as exc:
            typer.echo(f"lane {lane}: {exc}", err=True)
            raise typer.Exit(1) from exc
        store.save(lane, new)
        typer.echo(f"lane {lane}: zero {new.offset:.0f} counts, {new.scale:.6g} g/count")
    finally:
        cell.close()
        store.close()


@app.command("replay", help="Run the pipeline over a t,lane,grams CSV: one JSON line per event.")
def replay_command(
    trace: Path = typer.Argument(..., help="CSV with header t,lane,grams"),
    lanes: Path = typer.Option(..., "--lanes", help="LANES.yaml: lane → sku, unit_weight_g, …"),
) -> None:
    from shelf_sensors.exceptions import LaneConfigError, TraceError
    from shelf_sensors.lanes import load_lanes_file
    from shelf_sensors.replay import read_trace, replay

    try:
        specs = load_lanes_file(lanes)
    except LaneConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc

    def report(err: TraceError) -> None:
        typer.echo(f"{trace}: {err}", err=True)

    try:
        stream = trace.open(newline="", encoding="utf-8", errors="replace")
    except OSError as exc:
        typer.echo(f"{trace}: cannot read: {exc}", err=True)
        raise typer.Exit(2) from exc
    with stream:
        for event in replay(read_trace(stream, report), specs, on_error=report):
            sys.stdout.write(json.dumps(event.replay_line()) + "\n")
