"""Wires a shelf node from its config: outbox, calibrations, load cells, service, link,
commands, ``/metrics`` and remote config. ``smartstore shelf run`` and tests use it.

Remote config applies live what the reader thread can take between two readings (the
planogram, the log level); a planogram naming a lane the load cell source does not read is
refused, so ``edge.remote_config`` rolls it back. Sections owning hardware or sockets
(load cells, LEDs, broker, outbox, metrics, pipeline tunables) apply at the next restart
and are listed as ``restart_pending`` in the retained state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.topics import commands_filter, pricebook_topic
from edge.fleet_hooks import FleetHooks, wire_fleet_hooks
from edge.inbound import CommandRouter, Rejections, pricebook_handler
from edge.link import Link
from edge.outbox import Outbox
from edge.runtime import Service
from edge.updates.wiring import wire_updates
from shelf_sensors.calibration_store import CalibrationStore
from shelf_sensors.config import ShelfConfig
from shelf_sensors.detection import LaneEvent
from shelf_sensors.exceptions import LaneConfigError
from shelf_sensors.factory import build_leds, build_loadcell
from shelf_sensors.lanes import resolve
from shelf_sensors.loadcell.base import LoadCell
from shelf_sensors.service import ShelfService

log = logging.getLogger(__name__)

HOT = frozenset({"identity", "lanes", "log_level"})


@dataclass
class ShelfNode:
    config: ShelfConfig
    outbox: Outbox
    calibrations: CalibrationStore
    service: ShelfService
    link: Link
    router: CommandRouter
    fleet: FleetHooks[ShelfConfig]
    services: list[Service] = field(default_factory=list)

    def close(self) -> None:
        """After the services stopped: the files they wrote to."""
        self.calibrations.close()
        self.outbox.close()


class ShelfReconfigurer:
    """``apply`` for :class:`edge.remote_config.RemoteConfig` on a shelf node."""

    def __init__(self, service: ShelfService, running: ShelfConfig) -> None:
        self.service = service
        self.running = running
        self.restart_pending: list[str] = []

    def __call__(self, new: ShelfConfig) -> None:
        read = set(self.service.cell.lanes)
        missing = sorted({spec.lane for spec in new.lanes} - read)
        if missing:
            raise LaneConfigError(f"no load cell reads lane(s) {', '.join(missing)}")
        self.service.set_planogram(list(new.lanes))
        logging.getLogger().setLevel(new.log_level)
        old, fresh = self.running.model_dump(mode="json"), new.model_dump(mode="json")
        self.restart_pending = sorted(k for k in fresh if k not in HOT and old[k] != fresh[k])
        if self.restart_pending:
            log.warning("config sections %s apply at the next restart", self.restart_pending)

    def state(self) -> dict[str, Any]:
        return {"restart_pending": list(self.restart_pending)} if self.restart_pending else {}


def build_shelf_node(
    cfg: ShelfConfig, *, config_path: Path | None = None, cell: LoadCell | None = None
) -> ShelfNode:
    """``cell`` overrides the configured load cell source (tests)."""
    ident = cfg.identity
    outbox = Outbox.open(cfg.outbox.path, ident.store, ident.node, cfg.outbox)
    store = CalibrationStore(cfg.outbox.path)
    built, cals = build_loadcell(cfg.loadcell, resolve(cfg.lanes, None, strict=False))
    service = ShelfService(
        cfg.lanes,
        cell or built,
        outbox,
        detection=cfg.detection,
        health=cfg.health,
        calibrations=cals,
        store=store,
        leds=build_leds(cfg.leds),
        default_scale=cfg.default_scale_g_per_count,
    )
    reconfigure = ShelfReconfigurer(service, cfg)
    link = Link(
        cfg.mqtt,
        ident,
        outbox,
        kind="shelf",
        outbox_settings=cfg.outbox,
        state_extra=lambda: {**service.lane_states(), **reconfigure.state()},
    )
    router = CommandRouter(ident, lambda topic, payload: link.publish_now(topic, payload))
    router.register("tare", service.command_tare)
    router.register("calibrate", service.command_calibrate)
    router.register("reload", service.command_reload)
    router.register("planogram", service.command_planogram)
    link.route(commands_filter(ident.store, ident.node), router)
    book_rejections = Rejections()
    link.route(
        pricebook_topic(ident.store),
        pricebook_handler(ident.store, service.on_pricebook, book_rejections),
    )
    hooks = wire_fleet_hooks(
        kind="shelf",
        model=ShelfConfig,
        config=cfg,
        link=link,
        router=router,
        outbox=outbox,
        config_path=config_path,
        apply=reconfigure,
        rejections=[book_rejections],
    )
    metrics = hooks.metrics

    def lane_metrics(event: LaneEvent) -> None:
        pipe = service.pipelines.get(event.lane)
        if pipe is not None:
            metrics.set_lane(event.lane, pipe.alerts.state, pipe.count or 0)

    service.listeners.append(lane_metrics)
    updates = wire_updates(
        cfg.updates, kind="shelf", link=link, router=router, outbox=outbox, idle=lambda: True
    )
    node = ShelfNode(cfg, outbox, store, service, link, router, hooks)
    node.services = [hooks.server, link, service, *([updates] if updates else [])]
    return node
