"""The pure per-lane pipeline: samples in grams → pick/put/foreign events and stock alerts.

samples → drop failed and impossible (rail) readings → Hampel → median of 3 → short EMA →
stable/unstable → Δw between settled plateaus → quantity (posterior) → count → alert state.

Robust by construction rather than by tuning (issue 17):
- a reading no lane can weigh (a rail code) never enters; spikes need more than half of
  the Hampel window to pass;
- levels are means of settled windows only, and only a *confirmed* plateau becomes the
  "before" of the next event;
- a plateau that removes whole units is a pick at once (a hand only ever adds weight); one
  that adds weight or that no count explains must stay settled ``confirm_s`` first, so a
  hand resting still on the lane is never a put or a foreign object, and when the hand
  moves again the plateau is dropped and the next one is measured from the last
  confirmed level.

The live node and ``shelf replay`` both call :meth:`LanePipeline.feed` with the same
``(t, grams)``, so they give the same events. No I/O, no wall clock: time is the sample's
own ``t`` (seconds).
"""

from __future__ import annotations

import math

from shelf_sensors.alerts import TRANSITION_EVENT, StockAlerts
from shelf_sensors.events import EventType, LaneEvent

__all__ = ["MAX_CHAIN", "EventType", "LaneEvent", "LanePipeline"]
from shelf_sensors.filters import Ema, Hampel, Median3, Stability
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.quantity import QuantityEstimate, UnitModel
from shelf_sensors.settings import DetectionSettings

MAX_CHAIN = 8
"""Unconfirmed plateaus kept between two confirmed levels (see :meth:`LanePipeline._steps`)."""


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
        self._last_grams = math.nan
        self._quiet_spread = s.noise_sigma_g
        """Quiet raw spread of a stability window, g (see :meth:`_still`)."""
        self._pending_since: float | None = None
        """Start of a settled plateau that is not yet an event (see module doc)."""
        self._chain: list[tuple[float, float]] = []
        """(settled at, level) of unconfirmed plateaus since the last confirmed level."""
        self._valid_max = s.valid_max_factor * spec.capacity * spec.mu + 2000.0

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
        """One sample; ``None``/NaN (failed or saturated read), readings no lane can weigh
        (rail codes) and out-of-order times drop."""
        if grams is None or not math.isfinite(grams) or t <= self._last_t:
            return []
        if grams < self.settings.valid_min_g or grams > self._valid_max or self._is_code(grams):
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
        # The slope of the short-EMA signal over the window has a noise of ~1σ g/s: the
        # 1 g/s limit alone would flicker (decisions 0071, 0190); the raw-spread test below
        # is what keeps a resting hand from looking settled.
        slope_limit = max(s.stable_max_slope, s.slope_sigmas * self.sigma)
        spread = stab.raw_std()
        now_stable = stab.is_stable(band, slope_limit) and (
            self._still(spread) or self._pick_settles(spread)
        )
        events: list[LaneEvent] = []
        if self.stable:
            if now_stable:
                events.extend(self._while_stable(tc))
            else:
                self._unsettle(tc)
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
            events.extend(self._alerts(tc))
        return events

    def _is_code(self, grams: float) -> bool:
        """A reading repeated exactly, away from where the lane is, is a rail or raw-0 code
        the calibration turned into plausible grams (at 10 Hz a run of them lasts long enough
        to look settled). Noise makes exact repeats at the lane's level rare and harmless."""
        same = grams == self._last_grams
        self._last_grams = grams
        return same and abs(grams - self._ema.value) > max(10.0, 0.3 * self.unit.mu)

    def _still(self, spread: float) -> bool:
        """Raw spread of the window against the lane's quiet noise: the noise is tracked as
        the 30 % quantile of the window spread (the lane is quiet most of the time), so it
        adapts whether or not the lane ever looked stable."""
        if not math.isfinite(spread):
            return False
        q = self._quiet_spread
        q *= 1.0 - 0.0014 if spread < q else 1.0 + 0.0006
        self._quiet_spread = min(max(q, 0.05), 100.0)
        limit = self.settings.still_spread * self._quiet_spread + self.settings.still_floor_g
        return spread <= limit

    def _pick_settles(self, spread: float) -> bool:
        """A flat window whose raw spread is still above the quiet noise (the tail of a
        release's ringing) settles when it is whole units *below* the last confirmed level
        within 2 σ of a count, and the spread is under 0.1 μ and 3× the still limit: a hand
        only adds weight, and that level's count cannot be off by a unit. Else a put-back
        1–2 s after a pick merged with it into one event (``mixed``)."""
        limit = self.settings.still_spread * self._quiet_spread + self.settings.still_floor_g
        if self.stable or self._before is None or spread > min(0.1 * self.unit.mu, 3 * limit):
            return False
        delta = self._stab.raw_mean() - self._before
        if abs(delta) < self._min_event() or not self._is_clean_pick(delta):
            return False
        return abs(self._estimate(delta).z) <= 2.0

    def _while_stable(self, t: float) -> list[LaneEvent]:
        if self._hampel.mad > 0:
            self.sigma += 0.002 * (min(max(self._hampel.mad, 0.2), 50.0) - self.sigma)
        if self._seg_n < 8:
            self._last_stable_mean = self._stab.raw_mean()
        if self._pending_since is None:
            self._maybe_autozero(t)
            return []
        if t - self._pending_since < self.settings.confirm_s:
            return []
        self._pending_since = None
        return self._settled_change(t, self._plateau(), confirmed=True)

    def _unsettle(self, t: float) -> None:
        """The lane moves: remember the last *confirmed* level as the next "before", and an
        unconfirmed plateau that held still a whole stability window as a possible step."""
        self.stable = False
        self._settling_since = None
        if self._pending_since is None:
            self._before = self._plateau()
        elif t - self._pending_since >= self.settings.stable_window_s:
            self._chain = [*self._chain[-(MAX_CHAIN - 1) :], (self._pending_since, self._plateau())]
        self._pending_since = None
        self._quiet_since = math.inf

    def _plateau(self) -> float:
        return self._seg_mean if self._seg_n >= 8 else self._last_stable_mean

    def _alerts(self, t: float) -> list[LaneEvent]:
        change = self.alerts.update(
            t, self.weight, self.count or 0, self.unit.mu, self.spec.low_stock_at, self.stable
        )
        if change is None:
            return []
        if change == "out":
            self.count = 0
        return [self._event(t, TRANSITION_EVENT[change], 0)]  # type: ignore[arg-type]

    def update_spec(self, spec: LaneSpec) -> None:
        """Planogram change: a new SKU restarts the unit model; the count is kept otherwise."""
        if spec.sku != self.spec.sku or spec.unit_weight_g != self.spec.unit_weight_g:
            self.unit = UnitModel(spec.mu, spec.unit_spread_g, gain=self.settings.learn_gain)
        self._valid_max = self.settings.valid_max_factor * spec.capacity * spec.mu + 2000.0
        if spec.sku != self.spec.sku:
            self.count = None
            self._before = None
            self._chain.clear()
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
        return self._settled_change(t, after, confirmed=False)

    def _settled_change(self, t: float, after: float, *, confirmed: bool) -> list[LaneEvent]:
        """Δw from the last confirmed level to a settled plateau: nothing, an event now, or
        (not ``confirmed`` and adding weight or unexplained) a plateau that must hold first."""
        before = self._before if self._before is not None else after
        steps = self._steps(before, after)
        delta = after - (steps[-1][1] if steps else before)
        small = abs(delta) < self._min_event()
        if small and not steps:
            self._chain.clear()
            return []
        if not confirmed and not small and not self._is_clean_pick(delta):
            self._pending_since = t
            return []
        events: list[LaneEvent] = []
        level = before
        for at, step_level in steps:
            events.extend(self._classify(at, step_level - level))
            level = step_level
        if not small:
            events.extend(self._classify(t, delta))
        self._chain.clear()
        self._before = after
        mu = self.unit.mu
        w = after - self.zero - sum(self.foreign)
        self._content_offset = w - self.count * mu if self.count else 0.0
        return events

    def _min_event(self) -> float:
        s = self.settings
        return max(s.min_event_g, s.min_event_fraction * self.unit.mu, 4.0 * self.sigma_m)

    def _steps(self, before: float, after: float) -> list[tuple[float, float]]:
        """Unconfirmed plateaus the change went through in whole units (puts a few seconds
        apart, a pick put back): each becomes its own event, dated when it settled.

        A plateau qualifies only when the step to it and the rest of the way to ``after``
        are both whole units, so a hand resting on the lane (any weight) rarely does."""
        out: list[tuple[float, float]] = []
        level = before
        for at, plateau in self._chain:
            rest = after - plateau
            if self._is_count(plateau - level) and (
                abs(rest) < self._min_event() or self._is_count(rest)
            ):
                out.append((at, plateau))
                level = plateau
        return out

    def _is_count(self, delta: float) -> bool:
        """Δw is a whole, possible number of units (not a foreign object)."""
        if abs(delta) < self._min_event():
            return False
        est = self._estimate(delta)
        if not est.matches:
            return False
        return est.qty <= self.spec.capacity + max(2, self.spec.capacity // 10)

    def _is_clean_pick(self, delta: float) -> bool:
        """Whole units taken off (and not a foreign item leaving): no hand fakes that."""
        if delta >= 0:
            return False
        if self.foreign and min(abs(f + delta) for f in self.foreign) < 0.3 * self.unit.mu:
            return False
        return self._estimate(delta).matches

    def _estimate(self, delta: float) -> QuantityEstimate:
        s = self.settings
        return self.unit.estimate(
            delta,
            self.sigma_m,
            max(self.count or 0, self.spec.capacity) + 5,
            s.foreign_z,
            max(s.foreign_min_g, s.foreign_min_fraction * self.unit.mu),
            s.foreign_max_fraction * self.unit.mu,
        )

    def _classify(self, t: float, delta: float) -> list[LaneEvent]:
        s = self.settings
        count = self.count or 0
        est = self._estimate(delta)
        if delta < 0 and self.foreign:
            # The foreign object leaving, unless whole units explain Δw better.
            tol = max(5.0, 4.0 * self.sigma_m)
            best = min(self.foreign, key=lambda f: abs(f + delta))
            off = abs(best + delta)
            units_off = abs(abs(delta) - est.qty * self.unit.mu) if est.matches else math.inf
            if off < max(tol, 0.1 * best) and (off <= units_off or est.qty > count):
                self.foreign.remove(best)
                return [self._event(t, "foreign", 0, delta, 1.0)]
        room = self.spec.capacity + max(2, self.spec.capacity // 10) - count
        if not est.matches or (delta > 0 and est.qty > room):
            # No count explains it, or more units than the lane can hold: a foreign object.
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
