"""The pure per-lane pipeline: samples in grams → pick/put/foreign events and stock alerts.

samples → drop failed and rail readings → Hampel → median of 3 → short EMA → stable/unstable
→ Δw between settled plateaus → quantity (posterior) → count → alert state.

Robust by construction rather than by tuning (issue 17): a rail code never enters and a spike
must fill half the Hampel window; levels are means of settled windows only, and only a
*confirmed* plateau is the "before" of the next event. A plateau whole units below it is a
pick (a hand only adds weight): at once when it empties the lane, else once held
``pick_confirm_s``, so a visit taking units in steps is one pick; one that adds weight, that
no count explains or that is smaller than an event must stay settled ``confirm_s``, so a
resting hand is never a put, a foreign object or a level. ``shelf replay`` and the live node
call :meth:`LanePipeline.feed` alike. No I/O, no wall clock: time is the sample's ``t``.
"""

from __future__ import annotations

import math

from shelf_sensors.alerts import TRANSITION_EVENT, StockAlerts
from shelf_sensors.events import EventType, LaneEvent

__all__ = ["MAX_CHAIN", "EventType", "LaneEvent", "LanePipeline"]
from shelf_sensors.filters import Ema, Hampel, Median3, Stability
from shelf_sensors.lanes import LaneSpec
from shelf_sensors.quantity import QuantityEstimate, UnitModel, fits_room, overfill_limit
from shelf_sensors.ringing import RingingLevel
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
        self._ring = RingingLevel()
        self.alerts = StockAlerts.of(s)
        self.sigma = s.noise_sigma_g
        self.count: int | None = None  # units on the lane; None until the first stable weight
        self.zero = 0.0  # auto-zero correction, g, subtracted from every weight
        self.foreign: list[float] = []  # foreign items put on the lane and not yet taken off, g
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
        self._quiet_spread = s.noise_sigma_g  # quiet raw spread of a window, g (see _still)
        self._pending_since: float | None = None  # a settled plateau not yet an event
        self._pending_pick = False  # ... and it is whole units below "before" (0268)
        # (at, level, seen under jolts (0265) or a pick held (0268)) of plateaus since "before"
        self._chain: list[tuple[float, float, bool]] = []
        self._small = False  # the plateau moved less than an event (see _unsettle)
        self._valid_max = s.valid_max_factor * spec.capacity * spec.mu + 2000.0

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
        if self.stable:
            self._ring.reset()
        elif self._before is not None:
            self._ring_level(tc, m)
        if self.count is not None:
            events.extend(self._alerts(tc))
        return events

    def _ring_level(self, t: float, grams: float) -> None:
        """A level whole units below "before" under a release's ringing is a step (0265)."""
        mu, before = self.unit.mu, self._before
        seen = self._ring.push(t, grams, 0.1 * mu)
        last = self._chain[-1][1] if self._chain else math.inf
        if seen is None or before is None or abs(last - seen[1]) < mu / 2:
            return
        delta = seen[1] - before
        if self._is_sure_pick(delta):
            self._chain = [*self._chain[-(MAX_CHAIN - 1) :], (*seen, True)]

    def _is_code(self, grams: float) -> bool:
        """A reading repeated exactly away from the lane's level is a rail or raw-0 code made
        plausible grams (a run of them at 10 Hz looks settled); noise rarely repeats exactly."""
        same = grams == self._last_grams
        self._last_grams = grams
        return same and abs(grams - self._ema.value) > max(10.0, 0.3 * self.unit.mu)

    def _still(self, spread: float) -> bool:
        """Raw spread of the window against the lane's quiet noise, tracked as the 30 %
        quantile of the spread (mostly quiet), whether or not the lane ever looked stable."""
        if not math.isfinite(spread):
            return False
        q = self._quiet_spread
        q *= 1.0 - 0.0014 if spread < q else 1.0 + 0.0006
        self._quiet_spread = min(max(q, 0.05), 100.0)
        limit = self.settings.still_spread * self._quiet_spread + self.settings.still_floor_g
        return spread <= limit

    def _pick_settles(self, spread: float) -> bool:
        """A flat window above the quiet noise (a release's ringing) settles when whole units
        *below* "before" within 2 σ, spread < 0.1 μ and 3× the still limit (0257)."""
        limit = self.settings.still_spread * self._quiet_spread + self.settings.still_floor_g
        if self.stable or self._before is None or spread > min(0.1 * self.unit.mu, 3 * limit):
            return False
        return self._is_sure_pick(self._stab.raw_mean() - self._before)

    def _is_sure_pick(self, delta: float) -> bool:
        """Whole units below "before" within 2 σ of a count: no resting hand makes that."""
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
        s = self.settings
        if t - self._pending_since < (s.pick_confirm_s if self._pending_pick else s.confirm_s):
            return []
        self._pending_since = None
        return self._settled_change(t, self._plateau(), confirmed=True)

    def _unsettle(self, t: float) -> None:
        """The lane moves: the last *confirmed* level is the next "before"; a held pick or a
        plateau held a stability window a possible step; a change too small for an event is a
        level only once settled ``confirm_s`` (a hand pressing harder in steps: 0263)."""
        self.stable = False
        self._settling_since = None
        if self._pending_since is None:
            if not self._small or t - self._quiet_since >= self.settings.confirm_s:
                self._before = self._plateau()
        elif self._pending_pick or t - self._pending_since >= self.settings.stable_window_s:
            plateau = (self._pending_since, self._plateau(), self._pending_pick)
            self._chain = [*self._chain[-(MAX_CHAIN - 1) :], plateau]
        self._pending_since = None
        self._quiet_since = math.inf

    def _plateau(self) -> float:
        return self._seg_mean if self._seg_n >= 8 else self._last_stable_mean

    def _alerts(self, t: float) -> list[LaneEvent]:
        # Weight that no count explained but that may be whole units (a restock read as
        # foreign) is not taken off for out of stock: the lane must read empty itself (0258).
        unsure = bool(self.foreign) and any(
            self.unit.could_be_units(f, self.settings.foreign_max_fraction * self.unit.mu)
            for f in self.foreign
        )
        change = self.alerts.update(
            t,
            self.weight,
            self.count or 0,
            self.unit.mu,
            self.spec.low_stock_at,
            self.stable,
            empty_weight=self.grams if unsure else None,
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
        lane, count, state = self.spec.lane, self.count or 0, self.alerts.state
        return LaneEvent(t, lane, kind, qty, count, delta, conf, state)

    def _on_settle(self, t: float, after: float) -> list[LaneEvent]:
        self._seg_mean = after
        self._seg_n = 0
        self._quiet_since = t
        before = self._before
        mu = self.unit.mu
        if before is None or self.count is None:
            self._small = False
            w = after - self.zero
            self.count = max(0, round(w / mu)) if w >= self.settings.oos_fraction * mu else 0
            self._content_offset = w - self.count * mu if self.count else 0.0
            self.unit.confirm_load(self.count, self._content_offset, self.sigma_m)
            return []
        return self._settled_change(t, after, confirmed=False)

    def _settled_change(self, t: float, after: float, *, confirmed: bool) -> list[LaneEvent]:
        """Δw from the last confirmed level to a settled plateau: nothing, an event now, or
        (not ``confirmed`` and adding weight or unexplained) a plateau that must hold first."""
        before = self._before if self._before is not None else after
        steps = self._steps(before, after, confirmed)
        delta = after - (steps[-1][1] if steps else before)
        small = abs(delta) < self._min_event()
        self._small = small and not steps
        if self._small:
            self._chain.clear()
            return []
        if not confirmed and not small:  # a pick leaving units waits for the hand (0268)
            self._pending_pick = self._is_clean_pick(delta)
            if not self._pending_pick or self._estimate(delta).qty < (self.count or 0):
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
        w = after - self.zero - sum(self.foreign)
        self._content_offset = w - self.count * self.unit.mu if self.count else 0.0
        return events

    def _min_event(self) -> float:
        s = self.settings
        return max(s.min_event_g, s.min_event_fraction * self.unit.mu, 4.0 * self.sigma_m)

    def _steps(self, before: float, after: float, confirmed: bool) -> list[tuple[float, float]]:
        """Unconfirmed plateaus the change went through (puts seconds apart, a pick put
        back): each its own event, dated when it settled. Only when the rest of the way to
        ``after`` is whole units and so is the step to it, or (once confirmed: a hand may still
        rest) the step is an object put no count explains while the whole change is none (0265)."""
        out: list[tuple[float, float]] = []
        level = before
        foreign_first = confirmed and not self._is_count(after - before)
        for at, plateau, ringed in self._chain:
            rest, step = after - plateau, plateau - level
            if rest < 0 and ringed:
                continue  # units taken one by one in one visit: one pick (0265)
            whole_rest = self._is_count(rest)
            if (whole_rest or abs(rest) < self._min_event()) and (
                self._is_count(step) or (foreign_first and whole_rest and step >= self._min_event())
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
        return est.qty <= overfill_limit(self.spec.capacity)

    def _is_clean_pick(self, delta: float) -> bool:
        """Whole units taken off (not a foreign item leaving) within their spread, not just the
        grams floor (a resting hand's press can be 0.2 μ, 0263): no hand fakes that."""
        if delta >= 0:
            return False
        if self.foreign and min(abs(f + delta) for f in self.foreign) < 0.3 * self.unit.mu:
            return False
        return self._estimate(delta).fits

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
        room = fits_room(est, count, self.spec.capacity, s.overfill_z)
        if not est.matches or (delta > 0 and not room):
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
        if est.qty == 1 and est.confidence >= s.confidence and est.fits:
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
