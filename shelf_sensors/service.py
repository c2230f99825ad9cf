"""The shelf node service: one reader thread turns load cell readings into lane events and
writes them to the outbox (pick/put as ``shelf_event``, lane state as ``stock``, sensor faults
as ``fault``), lights a lane's LED while it is out of stock, and answers commands.

The per-reading work is :meth:`ShelfService.process`, the same :class:`LanePipeline` calls
that ``shelf replay`` makes, so both give the same events on the same samples.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from contracts.messages import Command, FaultData, Payload, ShelfEventData, StockData
from contracts.pricebook import PriceBook
from shelf_sensors import calibration as cal_math
from shelf_sensors.calibration import Calibration
from shelf_sensors.calibration_store import CalibrationStore
from shelf_sensors.config import HealthSettings
from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.exceptions import CalibrationError, LaneConfigError, LoadCellError
from shelf_sensors.health import FaultChange, LaneHealth
from shelf_sensors.lanes import LaneSpec, parse_planogram_args, resolve
from shelf_sensors.leds import LaneLeds
from shelf_sensors.loadcell.base import LoadCell, Reading
from shelf_sensors.settings import DetectionSettings

log = logging.getLogger(__name__)

NO_GTIN = "0" * 14


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
        self.detection = detection or DetectionSettings()
        self.health_settings = health or HealthSettings()
        self.store = store
        self.leds = leds
        self.clock = clock
        self.default_scale = default_scale
        self._configured = list(lanes)
        self.pricebook = pricebook
        self.specs = resolve(self._configured, pricebook, strict=False)
        self.calibrations: dict[str, Calibration] = dict(calibrations or {})
        if store is not None:
            self.calibrations.update(store.load())
        self.pipelines = {lane: LanePipeline(s, self.detection) for lane, s in self.specs.items()}
        self.health = {lane: self._new_health(lane) for lane in self.specs}
        self.recent: dict[str, deque[int]] = {lane: deque(maxlen=240) for lane in self.specs}
        self.listeners: list[Callable[[LaneEvent], None]] = []
        self.processed = 0
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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
                    self._emit_fault("loadcell_failed", "loadcell", True, str(exc))
                failing = True
                self._stop.wait(1.0)
                continue
            if failing:
                self._emit_fault("loadcell_failed", "loadcell", False, "readings again")
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
                pipe = self.pipelines.get(r.lane)
                if pipe is None:
                    continue
                health = self.health[r.lane]
                for change in health.observe(r, now):
                    self._on_fault(change)
                self.processed += 1
                if r.raw is None or r.status != "ok" or not health.usable():
                    continue
                self.recent[r.lane].append(r.raw)
                grams = self._calibration(r.lane).grams(r.raw)
                events = pipe.feed(r.t, grams)
                if events:
                    self._publish(pipe, events)
                    out.extend(events)
        return out

    def tick(self) -> None:
        now = self.clock()
        with self._lock:
            for health in self.health.values():
                for change in health.check(now):
                    self._on_fault(change)

    def _calibration(self, lane: str) -> Calibration:
        found = self.calibrations.get(lane)
        if found is None:
            found = Calibration(0.0, self.default_scale)
            self.calibrations[lane] = found
            log.warning("lane %s has no calibration: using scale %s g/count", lane, found.scale)
        return found

    def _publish(self, pipe: LanePipeline, events: list[LaneEvent]) -> None:
        spec = pipe.spec
        for e in events:
            if e.type in ("pick", "put", "foreign"):
                kind = "uncertain" if e.confidence < self.detection.confidence else e.type
                data = ShelfEventData(
                    lane=e.lane,
                    type=kind,  # type: ignore[arg-type]
                    qty=e.qty,
                    delta_grams=Decimal(f"{e.delta_g:.1f}"),
                    count=e.count,
                    sku=spec.sku,
                    confidence=round(min(1.0, max(0.0, e.confidence)), 4),
                )
                self.sink.emit("shelf_event", data)
            self.sink.emit("stock", self.stock(pipe))
            if self.leds is not None:
                self.leds.set(e.lane, pipe.alerts.state == "out")
            for listener in self.listeners:
                listener(e)

    def stock(self, pipe: LanePipeline) -> StockData:
        spec = pipe.spec
        return StockData(
            lane=spec.lane,
            sku=spec.sku,
            gtin=spec.gtin or NO_GTIN,
            count=pipe.count or 0,
            grams=Decimal(f"{max(0.0, pipe.grams):.1f}"),
            state=pipe.alerts.state,
        )

    def lane_states(self) -> dict[str, Any]:
        """For the node's retained state: every lane's count and alert state."""
        with self._lock:
            return {
                "lanes": {
                    lane: {"count": p.count, "state": p.alerts.state, "sku": p.spec.sku}
                    for lane, p in self.pipelines.items()
                }
            }

    def _on_fault(self, change: FaultChange) -> None:
        log.warning(
            "lane %s %s %s: %s",
            change.lane,
            change.code,
            "raised" if change.active else "cleared",
            change.message,
        )
        self._emit_fault(change.code, f"lane:{change.lane}", change.active, change.message)

    def _emit_fault(self, code: str, component: str, active: bool, message: str) -> None:
        severity = "error" if active else "info"
        self.sink.emit(
            "fault",
            FaultData(
                code=code, component=component, severity=severity, active=active, message=message
            ),
        )

    def _new_health(self, lane: str) -> LaneHealth:
        h = self.health_settings
        return LaneHealth(
            lane,
            stuck_samples=h.stuck_samples,
            saturated_samples=h.saturated_samples,
            disconnect_s=h.disconnect_s,
        )

    # Commands --------------------------------------------------------------------------

    def command_tare(self, command: Command) -> dict[str, Any]:
        """``{"lane": L, "confirm_empty": true}``: new zero, only on an empty lane."""
        lane = self._lane_arg(command.args)
        confirmed = command.args.get("confirm_empty") is True
        with self._lock:
            pipe = self.pipelines[lane]
            if pipe.count:
                raise CalibrationError(f"lane {lane} still counts {pipe.count} unit(s): not tared")
            new = cal_math.tare(
                self._calibration(lane), list(self.recent[lane]), confirmed_empty=confirmed
            )
            self._apply_calibration(lane, new)
        return {"lane": lane, "offset": new.offset, "scale": new.scale}

    def command_calibrate(self, command: Command) -> dict[str, Any]:
        """``{"lane": L, "known_grams": G}`` with G on the tared lane: sets the scale."""
        lane = self._lane_arg(command.args)
        try:
            known = float(command.args["known_grams"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError("known_grams must be a number") from exc
        with self._lock:
            current = self._calibration(lane)
            zero = [round(current.offset)] * cal_math.MIN_SAMPLES
            new = cal_math.two_point(zero, list(self.recent[lane]), known)
            self._apply_calibration(lane, new)
        return {"lane": lane, "offset": new.offset, "scale": new.scale}

    def command_reload(self, command: Command) -> dict[str, Any]:
        """Re-read stored calibrations and re-resolve lanes against the price book."""
        with self._lock:
            if self.store is not None:
                self.calibrations.update(self.store.load())
            self._set_lanes(self._configured)
        return {"lanes": len(self.specs), "calibrated": len(self.calibrations)}

    def command_planogram(self, command: Command) -> dict[str, Any]:
        self.set_planogram(parse_planogram_args(command.args))
        return {"lanes": sorted(self.specs)}

    def set_planogram(self, specs: list[LaneSpec]) -> None:
        """Replace the configured lanes (command or remote config); kept lanes keep counting."""
        with self._lock:
            self._configured = list(specs)
            self._set_lanes(self._configured)

    def on_pricebook(self, book: PriceBook) -> None:
        with self._lock:
            self.pricebook = book
            try:
                self._set_lanes(self._configured)
            except LaneConfigError as exc:
                log.error("price book %s not applied to lanes: %s", book.version, exc)

    def _set_lanes(self, specs: list[LaneSpec]) -> None:
        resolved = resolve(specs, self.pricebook, strict=False)
        for lane, spec in resolved.items():
            if lane in self.pipelines:
                self.pipelines[lane].update_spec(spec)
            else:
                self.pipelines[lane] = LanePipeline(spec, self.detection)
                self.health[lane] = self._new_health(lane)
                self.recent[lane] = deque(maxlen=240)
        for lane in set(self.pipelines) - set(resolved):
            del self.pipelines[lane]
        self.specs = resolved

    def _apply_calibration(self, lane: str, new: Calibration) -> None:
        self.calibrations[lane] = new
        if self.store is not None:
            self.store.save(lane, new)
        old = self.pipelines[lane]
        fresh = LanePipeline(old.spec, self.detection)
        fresh.unit = old.unit
        self.pipelines[lane] = fresh
        self.recent[lane].clear()

    def _lane_arg(self, args: Mapping[str, Any]) -> str:
        lane = args.get("lane")
        if not isinstance(lane, str) or lane not in self.pipelines:
            raise CalibrationError(f"unknown lane {lane!r}")
        return lane
