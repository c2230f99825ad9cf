"""The shelf node service, the I/O shell around :class:`ShelfState`: one reader thread turns
load cell readings into lane events and writes them to the outbox (pick/put as
``shelf_event``, lane state as ``stock``, sensor faults as ``fault``), lights a lane's LED
while it is out of stock, stores calibrations and answers commands.

The per-reading work is :meth:`ShelfService.process`, the same :class:`LanePipeline` calls
that ``shelf replay`` makes, so both give the same events on the same samples.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from contracts.messages import Command, Payload
from contracts.pricebook import PriceBook
from shelf_sensors import payloads
from shelf_sensors.calibration import Calibration
from shelf_sensors.calibration_store import CalibrationStore
from shelf_sensors.config import HealthSettings
from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.exceptions import CalibrationError, LaneConfigError, LoadCellError
from shelf_sensors.health import FaultChange
from shelf_sensors.lanes import LaneSpec, parse_planogram_args
from shelf_sensors.leds import LaneLeds
from shelf_sensors.loadcell.base import LoadCell, Reading
from shelf_sensors.settings import DetectionSettings
from shelf_sensors.shelf_state import ShelfState

log = logging.getLogger(__name__)


class EventSink(Protocol):
    """What the service needs of the outbox (``edge.outbox.Outbox`` satisfies it)."""

    def emit(self, event_type: str, data: Payload | dict[str, Any]) -> Any: ...


class ShelfService:
    name = "shelf"

    def __init__(
        self,
        lanes: Iterable[LaneSpec],
        cell: LoadCell,
        sink: EventSink,
        *,
        detection: DetectionSettings | None = None,
        health: HealthSettings | None = None,
        calibrations: Mapping[str, Calibration] | None = None,
        store: CalibrationStore | None = None,
        leds: LaneLeds | None = None,
        pricebook: PriceBook | None = None,
        default_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cell = cell
        self.sink = sink
        self.store = store
        self.leds = leds
        self.clock = clock
        self.state = ShelfState(
            lanes,
            detection=detection or DetectionSettings(),
            health=health or HealthSettings(),
            calibrations=calibrations,
            pricebook=pricebook,
            default_scale=default_scale,
        )
        if store is not None:
            self.state.calibrations.update(store.load())
        self.listeners: list[Callable[[LaneEvent], None]] = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Live views of the lane state (the node's metrics and tests read them) ------------

    @property
    def specs(self) -> dict[str, LaneSpec]:
        return self.state.specs

    @property
    def pipelines(self) -> dict[str, LanePipeline]:
        return self.state.pipelines

    @property
    def calibrations(self) -> dict[str, Calibration]:
        return self.state.calibrations

    @property
    def pricebook(self) -> PriceBook | None:
        return self.state.pricebook

    @property
    def processed(self) -> int:
        return self.state.processed

    # Service ---------------------------------------------------------------------------

    def start(self) -> None:
        self.cell.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="shelf-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.cell.close()
        if self.leds is not None:
            self.leds.close()

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                readings = self.cell.read(0.2)
            except LoadCellError as exc:
                if not failing:
                    log.error("load cell source failed: %s", exc)
                    self.sink.emit(
                        "fault", payloads.fault("loadcell_failed", "loadcell", True, str(exc))
                    )
                failing = True
                self._stop.wait(1.0)
                continue
            if failing:
                self.sink.emit(
                    "fault", payloads.fault("loadcell_failed", "loadcell", False, "readings again")
                )
                failing = False
            try:
                self.process(readings)
                self.tick()
            except Exception:  # a bug must not stop the shelf from counting
                log.exception("shelf processing failed")

    # Processing ------------------------------------------------------------------------

    def process(self, readings: Iterable[Reading]) -> list[LaneEvent]:
        """Feed readings through health checks, calibration and the lane pipelines."""
        out: list[LaneEvent] = []
        now = self.clock()
        with self._lock:
            for r in readings:
                changes = self.state.observe(r, now)
                if changes is None:
                    continue
                for change in changes:
                    self._on_fault(change)
                pipe, events = self.state.feed(r)
                if events:
                    self._publish(pipe, events)
                    out.extend(events)
        return out

    def tick(self) -> None:
        now = self.clock()
        with self._lock:
            for health in self.state.health.values():
                for change in health.check(now):
                    self._on_fault(change)

    def _publish(self, pipe: LanePipeline, events: list[LaneEvent]) -> None:
        for e in events:
            data = payloads.shelf_event(e, pipe.spec, self.state.detection.confidence)
            if data is not None:
                self.sink.emit("shelf_event", data)
            self.sink.emit("stock", payloads.stock(pipe))
            if self.leds is not None:
                self.leds.set(e.lane, pipe.alerts.state == "out")
            for listener in self.listeners:
                listener(e)

    def lane_states(self) -> dict[str, Any]:
        """For the node's retained state: every lane's count and alert state."""
        with self._lock:
            return self.state.lane_states()

    def _on_fault(self, change: FaultChange) -> None:
        log.warning(
            "lane %s %s %s: %s",
            change.lane,
            change.code,
            "raised" if change.active else "cleared",
            change.message,
        )
        self.sink.emit("fault", payloads.lane_fault(change))

    # Commands --------------------------------------------------------------------------

    def command_tare(self, command: Command) -> dict[str, Any]:
        """``{"lane": L, "confirm_empty": true}``: new zero, only on an empty lane."""
        lane = self.state.lane_arg(command.args)
        confirmed = command.args.get("confirm_empty") is True
        with self._lock:
            new = self.state.tare(lane, confirmed)
            self._apply_calibration(lane, new)
        return {"lane": lane, "offset": new.offset, "scale": new.scale}

    def command_calibrate(self, command: Command) -> dict[str, Any]:
        """``{"lane": L, "known_grams": G}`` with G on the tared lane: sets the scale."""
        lane = self.state.lane_arg(command.args)
        try:
            known = float(command.args["known_grams"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError("known_grams must be a number") from exc
        with self._lock:
            new = self.state.two_point(lane, known)
            self._apply_calibration(lane, new)
        return {"lane": lane, "offset": new.offset, "scale": new.scale}

    def command_reload(self, command: Command) -> dict[str, Any]:
        """Re-read stored calibrations and re-resolve lanes against the price book."""
        with self._lock:
            if self.store is not None:
                self.state.calibrations.update(self.store.load())
            for change in self.state.resolve_lanes():
                self._on_fault(change)
        return {"lanes": len(self.state.specs), "calibrated": len(self.state.calibrations)}

    def command_planogram(self, command: Command) -> dict[str, Any]:
        self.set_planogram(parse_planogram_args(command.args))
        return {"lanes": sorted(self.state.specs)}

    def set_planogram(self, specs: list[LaneSpec]) -> None:
        """Replace the configured lanes (command or remote config); kept lanes keep counting."""
        with self._lock:
            for change in self.state.configure(specs):
                self._on_fault(change)

    def on_pricebook(self, book: PriceBook) -> None:
        with self._lock:
            try:
                for change in self.state.apply_pricebook(book):
                    self._on_fault(change)
            except LaneConfigError as exc:
                log.error("price book %s not applied to lanes: %s", book.version, exc)

    def _apply_calibration(self, lane: str, new: Calibration) -> None:
        self.state.calibrations[lane] = new
        if self.store is not None:
            self.store.save(lane, new)
        self.state.restart(lane)
