"""The pure per-lane pipeline: samples in grams → pick/put/foreign events and stock alerts.

samples → drop failed → Hampel → median of 3 → EMA → stable/unstable → Δw between stable
periods → quantity (posterior) → count → alert state. The live node and ``shelf replay``
both call :meth:`LanePipeline.feed` with the same ``(t, grams)``, so they give the same
events. No I/O, no wall clock: time is the sample's own ``t`` (seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from shelf_sensors.alerts import TRANSITION_EVENT, StockAlerts, StockState
from shelf_sensors.filters import Ema, Hampel, Median3, Stability
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.quantity import UnitModel
from shelf_sensors.settings import DetectionSettings

EventType = Literal["pick", "put", "foreign", "low_stock", "out_of_stock", "restocked"]


@dataclass(frozen=True, slots=True)
class LaneEvent:
    """One thing that happened on a lane; ``count`` is the units left after it."""

    t: float
    lane: str
    type: EventType
    qty: int
    count: int
    delta_g: float = 0.0
    confidence: float = 1.0
    state: StockState = "ok"

    @property
    def uncertain(self) -> bool:
        return self.type in ("pick", "put") and self.confidence < 0.9

    def replay_line(self) -> dict[str, object]:
        """The ``shelf replay`` output object (SPEC.md)."""
        return {
            "t": round(self.t, 3),
            "lane": self.lane,
            "type": self.type,
            "qty": self.qty,
            "count": self.count,
        }


class LanePipeline:
    """State of one lane. ``feed`` is O(1) per sample; see module doc for the stages."""

    def __init__(self, spec: LaneSpec, settings: DetectionSettings | None = None) -> None:
        s = settings or DetectionSettings()
        self.settings = s
        self.spec = spec
        self.unit = UnitModel(spec.mu, spec.unit_spread_g, gain=s.learn_gain)
        self._hampel = Hampel(s.hampel_window, s.hampel_k, s.hampel_floor_g)
        self._med = Median3()
        self._ema = Ema(s.ema_tau_s)
        self._stab = Stability(s.stable_window_s, s.stable_max_slope)
        self.alerts = StockAlerts(
            oos_fraction=s.oos_fraction,
            oos_hold_s=s.oos_hold_s,
            clear_fraction=s.oos_clear_fraction,
            clear_s=s.oos_clear_s,
            low_debounce_s=s.low_debounce_s,
        )
        self.sigma = s.noise_sigma_g
        self.count: int | None = None
        """Units on the lane; ``None`` until the first stable weight sets it."""
        self.zero = 0.0
        """Auto-zero correction in grams, subtracted from every weight."""
        self.foreign: list[float] = []
        """Weights of foreign items seen put on the lane and not yet taken off."""
        self.stable = False
        self._settling_since: float | None = None
        self._last_t = -math.inf
        self._seg_mean = 0.0
        self._seg_n = 0
        self._before: float | None = None
        self._last_stable_mean = 0.0
        self._content_offset = 0.0
        self._quiet_since = 0.0
        self._last_autozero = -math.inf

    # -- public ------------------------------------------------------------------------

    @property
    def sigma_m(self) -> float:
        return max(self.settings.sigma_m_floor_g, 0.5 * self.sigma)

    @property
    def weight(self) -> float:
        """Net smoothed weight on the lane (auto-zero applied, foreign items removed)."""
        return self._ema.value - self.zero - sum(self.foreign)

    @property
    def grams(self) -> float:
        return self._ema.value - self.zero

    def feed(self, t: float, grams: float | None) -> list[LaneEvent]:
        """One sample; ``None``/NaN (failed or saturated read) and out-of-order times drop."""
        if grams is None or not math.isfinite(grams) or t <= self._last_t:
            return []
        self._last_t = t
        out = self._hampel.push(t, grams)
        if out is None:
            return []
        tc, x, _ = out
        m = self._med.push(x)
        smooth = self._ema.push(tc, m)
        stab = self._stab
        gone = stab.push(tc, smooth, m)
        if self.stable:
            for _, _, raw in gone:
                self._seg_n += 1
                a = 1.0 / min(self._seg_n, 400)
                self._seg_mean += a * (raw - self._seg_mean)
        s = self.settings
        band = max(s.stable_sigmas * self.sigma, s.stable_min_band_g)
        # Over 0.5 s the EMA holds ~1 independent value, so its slope has a noise of ~0.5σ
        # g/s: the 1 g/s limit alone would flicker at σ = 1 g (decision 0071).
        slope_limit = max(s.stable_max_slope, s.slope_sigmas * self.sigma)
        now_stable = stab.is_stable(band, slope_limit)
        events: list[LaneEvent] = []
        if self.stable:
            if now_stable:
                if self._hampel.mad > 0:
                    self.sigma += 0.002 * (min(max(self._hampel.mad, 0.2), 50.0) - self.sigma)
                if self._seg_n < 8:
                    self._last_stable_mean = stab.raw_mean()
                self._maybe_autozero(tc)
            else:
                self.stable = False
                self._settling_since = None
                self._before = self._seg_mean if self._seg_n >= 8 else self._last_stable_mean
                self._quiet_since = math.inf
        elif not now_stable:
            self._settling_since = None
        elif self._settling_since is None:
            self._settling_since = tc
        if (
            not self.stable
            and self._settling_since is not None
            and tc - self._settling_since >= (s.settle_hold_s if self._before is not None else 0.0)
        ):
            self.stable = True
            self._settling_since = None
            after = stab.raw_mean()
            self._last_stable_mean = after
            events.extend(self._on_settle(tc, after))
        if self.count is not None:
            change = self.alerts.update(
                tc, self.weight, self.count, self.unit.mu, self.spec.low_stock_at, self.stable
            )
            if change is not None:
                if change == "out":
                    self.count = 0
                events.append(self._event(tc, TRANSITION_EVENT[change], 0))  # type: ignore[arg-type]
        return events

    def update_spec(self, spec: LaneSpec) -> None:
        """Planogram change: a new SKU restarts the unit model; the count is kept otherwise."""
        if spec.sku != self.spec.sku or spec.unit_weight_g != self.spec.unit_weight_g:
            self.unit = UnitModel(spec.mu, spec.unit_spread_g, gain=self.settings.learn_gain)
        if spec.sku != self.spec.sku:
            self.count = None
            self._before = None
        self.spec = spec

    # -- internals -----------------------------------------------------------------------

    def _event(
        self, t: float, kind: EventType, qty: int, delta: float = 0.0, conf: float = 1.0
    ) -> LaneEvent:
        return LaneEvent(
            t=t,
            lane=self.spec.lane,
            type=kind,
            qty=qty,
            count=self.count or 0,
            delta_g=delta,
            confidence=conf,
            state=self.alerts.state,
        )

    def _on_settle(self, t: float, after: float) -> list[LaneEvent]:
        self._seg_mean = after
        self._seg_n = 0
        self._quiet_since = t
        before = self._before
        mu = self.unit.mu
        if before is None or self.count is None:
            w = after - self.zero
            self.count = max(0, round(w / mu)) if w >= self.settings.oos_fraction * mu else 0
            self._content_offset = w - self.count * mu if self.count else 0.0
            return []
        delta = after - before
        s = self.settings
        if abs(delta) < max(s.min_event_g, s.min_event_fraction * mu, 4.0 * self.sigma_m):
            return []
        events = self._classify(t, delta)
        w = after - self.zero - sum(self.foreign)
        self._content_offset = w - self.count * mu if self.count else 0.0
        return events

    def _classify(self, t: float, delta: float) -> list[LaneEvent]:
        s = self.settings
        count = self.count or 0
        est = self.unit.estimate(
            delta, self.sigma_m, max(count, self.spec.capacity) + 5, s.foreign_z
        )
        if delta < 0 and self.foreign and not est.matches:
            tol = max(5.0, 4.0 * self.sigma_m)
            best = min(self.foreign, key=lambda f: abs(f + delta))
            if abs(best + delta) < max(tol, 0.05 * best):
                self.foreign.remove(best)
                return [self._event(t, "foreign", 0, delta, 1.0)]
        if not est.matches:
            if delta > 0:
                self.foreign.append(delta)
            elif self.foreign:
                self.foreign.clear()
            return [self._event(t, "foreign", 0, delta, 1.0)]
        if delta < 0:
            self.count = max(0, count - est.qty)
            kind: EventType = "pick"
        else:
            self.count = count + est.qty
            kind = "put"
        if est.qty == 1 and est.confidence >= s.confidence:
            self.unit.learn(abs(delta), self.sigma_m)
        return [self._event(t, kind, est.qty, delta, est.confidence)]

    def _maybe_autozero(self, t: float) -> None:
        s = self.settings
        if t - self._quiet_since < s.autozero_quiet_s:
            return
        if t - self._last_autozero < s.autozero_interval_s or self.count is None:
            return
        self._last_autozero = t
        plateau = self._seg_mean if self._seg_n else self._last_stable_mean
        expected = self.count * self.unit.mu + self._content_offset + sum(self.foreign)
        err = plateau - self.zero - expected
        if abs(err) >= s.autozero_max_error * self.unit.mu:
            return
        step = max(-s.autozero_max_step_g, min(s.autozero_max_step_g, 0.5 * err))
        self.zero += step
