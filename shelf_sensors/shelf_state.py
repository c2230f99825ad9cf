"""Every lane's live state on one shelf node: its pipeline, health monitor, recent raw counts
and calibration, kept in step with the planogram and the price book. Pure.

No I/O, no lock, no clock (``now`` is passed in), so the node service and tests drive the
same code: :class:`shelf_sensors.service.ShelfService` holds the lock, stores calibrations
and turns what these methods return into outbox events.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from contracts.pricebook import PriceBook
from shelf_sensors import calibration as cal_math
from shelf_sensors.calibration import Calibration
from shelf_sensors.config import HealthSettings
from shelf_sensors.detection import LaneEvent, LanePipeline
from shelf_sensors.exceptions import CalibrationError
from shelf_sensors.health import FaultChange, LaneHealth
from shelf_sensors.lanes import LaneSpec, resolve
from shelf_sensors.loadcell.base import Reading
from shelf_sensors.settings import DetectionSettings

log = logging.getLogger(__name__)

RECENT_RAW = 240
"""Raw counts kept per lane: the samples a tare or a calibration is computed from."""


class ShelfState:
    def __init__(
        self,
        lanes: Iterable[LaneSpec],
        *,
        detection: DetectionSettings,
        health: HealthSettings,
        calibrations: Mapping[str, Calibration] | None = None,
        pricebook: PriceBook | None = None,
        default_scale: float = 1.0,
    ) -> None:
        self.detection = detection
        self.health_settings = health
        self.default_scale = default_scale
        self.configured = list(lanes)
        self.pricebook = pricebook
        self.specs = resolve(self.configured, pricebook, strict=False)
        self.calibrations: dict[str, Calibration] = dict(calibrations or {})
        self.pipelines = {lane: LanePipeline(s, detection) for lane, s in self.specs.items()}
        self.health = {lane: self._new_health(lane) for lane in self.specs}
        self.recent: dict[str, deque[int]] = {lane: deque(maxlen=RECENT_RAW) for lane in self.specs}
        self.processed = 0

    # Readings --------------------------------------------------------------------------

    def observe(self, reading: Reading, now: float) -> list[FaultChange] | None:
        """The reading's sensor fault changes; ``None`` when no pipeline counts its lane."""
        if reading.lane not in self.pipelines:
            return None
        return self.health[reading.lane].observe(reading, now)

    def feed(self, reading: Reading) -> tuple[LanePipeline, list[LaneEvent]]:
        """After :meth:`observe`: count the reading and, when the sensor is usable, feed it
        in grams to its lane's pipeline."""
        lane = reading.lane
        pipe = self.pipelines[lane]
        self.processed += 1
        if reading.raw is None or reading.status != "ok" or not self.health[lane].usable():
            return pipe, []
        self.recent[lane].append(reading.raw)
        grams = self.calibration(lane).grams(reading.raw)
        return pipe, pipe.feed(reading.t, grams)

    def calibration(self, lane: str) -> Calibration:
        """The lane's calibration; an uncalibrated lane gets the default scale (and keeps it)."""
        found = self.calibrations.get(lane)
        if found is None:
            found = Calibration(0.0, self.default_scale)
            self.calibrations[lane] = found
            log.warning("lane %s has no calibration: using scale %s g/count", lane, found.scale)
        return found

    def lane_states(self) -> dict[str, Any]:
        return {
            "lanes": {
                lane: {"count": p.count, "state": p.alerts.state, "sku": p.spec.sku}
                for lane, p in self.pipelines.items()
            }
        }

    # Calibration -----------------------------------------------------------------------

    def lane_arg(self, args: Mapping[str, Any]) -> str:
        """The command's ``lane``, which must be one this node counts."""
        lane = args.get("lane")
        if not isinstance(lane, str) or lane not in self.pipelines:
            raise CalibrationError(f"unknown lane {lane!r}")
        return lane

    def tare(self, lane: str, confirmed_empty: bool) -> Calibration:
        """A new zero from the recent raw counts; refused while the lane still counts units."""
        pipe = self.pipelines[lane]
        if pipe.count:
            raise CalibrationError(f"lane {lane} still counts {pipe.count} unit(s): not tared")
        return cal_math.tare(
            self.calibration(lane), list(self.recent[lane]), confirmed_empty=confirmed_empty
        )

    def two_point(self, lane: str, known_grams: float) -> Calibration:
        """A new scale from the recent raw counts with ``known_grams`` on the tared lane."""
        current = self.calibration(lane)
        zero = [round(current.offset)] * cal_math.MIN_SAMPLES
        return cal_math.two_point(zero, list(self.recent[lane]), known_grams)

    def restart(self, lane: str) -> None:
        """After a new calibration every gram value moves: restart the lane's pipeline (it
        keeps the learned unit weight) and drop the raw counts taken under the old one."""
        old = self.pipelines[lane]
        fresh = LanePipeline(old.spec, self.detection)
        fresh.unit = old.unit
        self.pipelines[lane] = fresh
        self.recent[lane].clear()

    # Planogram and price book ----------------------------------------------------------

    def configure(self, specs: Iterable[LaneSpec]) -> list[FaultChange]:
        """Replace the configured lanes; kept lanes keep counting. Returns the faults cleared
        on lanes that left (see :meth:`resolve_lanes`)."""
        self.configured = list(specs)
        return self.resolve_lanes()

    def apply_pricebook(self, book: PriceBook) -> list[FaultChange]:
        """Keep the book even when the lanes do not resolve against it (LaneConfigError)."""
        self.pricebook = book
        return self.resolve_lanes()

    def resolve_lanes(self) -> list[FaultChange]:
        """Re-resolve the configured lanes against the price book: new lanes start, kept
        lanes take their new spec, lanes gone from the planogram stop counting and stop being
        watched (their active faults are returned cleared, for the shell to publish)."""
        resolved = resolve(self.configured, self.pricebook, strict=False)
        for lane, spec in resolved.items():
            if lane in self.pipelines:
                self.pipelines[lane].update_spec(spec)
            else:
                self.pipelines[lane] = LanePipeline(spec, self.detection)
                self.health[lane] = self._new_health(lane)
                self.recent[lane] = deque(maxlen=RECENT_RAW)
        cleared: list[FaultChange] = []
        for lane in sorted(set(self.pipelines) - set(resolved)):
            del self.pipelines[lane]
            self.recent.pop(lane, None)
            health = self.health.pop(lane, None)
            if health is not None:
                cleared += health.retire("lane removed from the planogram")
        self.specs = resolved
        return cleared

    def _new_health(self, lane: str) -> LaneHealth:
        h = self.health_settings
        return LaneHealth(
            lane,
            stuck_samples=h.stuck_samples,
            saturated_samples=h.saturated_samples,
            disconnect_s=h.disconnect_s,
        )
