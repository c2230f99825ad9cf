"""Deterministic part of a lane's signal at given times: contents, hands, creep, drift.

Everything here is a pure function of time and the plan, so any chunk of any trace can be
rendered on its own (streaming) and gives the same values every time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.shelfgen.contact import Contact
from bench.shelfgen.lanes import Lane
from bench.shelfgen.params import Drift

Array = npt.NDArray[np.float64]
DAY_S = 86_400.0


def smoothstep(u: Array) -> Array:
    s = np.clip(u, 0.0, 1.0)
    return s * s * (3.0 - 2.0 * s)


@dataclass(frozen=True)
class LanePlan:
    """One lane's script: its load changes (the first is the stocking before the trace)."""

    lane: Lane
    change_t: Array
    change_g: Array
    change_ramp: Array
    contacts: tuple[Contact, ...]
    contact_t0: Array
    contact_end: Array

    @classmethod
    def build(cls, lane: Lane, load_t: float, load_g: float, contacts: list[Contact]) -> LanePlan:
        mine = sorted(contacts, key=lambda c: c.t0)
        changes = [(load_t, load_g, 0.5)] + [ch for c in mine for ch in c.changes]
        changes.sort()
        t, g, r = (np.array(col, dtype=np.float64) for col in zip(*changes, strict=True))
        return cls(
            lane=lane,
            change_t=t,
            change_g=g,
            change_ramp=r,
            contacts=tuple(mine),
            contact_t0=np.array([c.t0 for c in mine], dtype=np.float64),
            contact_end=np.array([c.end for c in mine], dtype=np.float64),
        )


def contents(plan: LanePlan, t: Array) -> Array:
    """Weight of what rests on the lane: each change ramps in over its ramp time."""
    ct, cg, cr = plan.change_t, plan.change_g, plan.change_ramp
    done = ct + cr <= t[0]
    x = np.full(t.shape, float(cg[done].sum()))
    moving = ~done & (ct < t[-1])
    for tc, g, r in zip(ct[moving], cg[moving], cr[moving], strict=True):
        i0, i1 = np.searchsorted(t, [tc, tc + r])
        x[i0:i1] += g * smoothstep((t[i0:i1] - tc) / r)
        x[i1:] += g
    return x


def hands(plan: LanePlan, t: Array) -> Array:
    """Hand press (slowly changing, with tremor), overshoot kicks, ringing after release.

    The HX711 averages over its conversion time (1 / rate), so periodic parts (tremor,
    ringing) reach the samples attenuated by |sinc(f / rate)| instead of aliasing whole.
    """
    x = np.zeros(t.shape)
    rate = plan.lane.rate_hz
    live = np.nonzero((plan.contact_t0 < t[-1]) & (plan.contact_end > t[0]))[0]
    for k in live:
        c = plan.contacts[k]
        i0, i1 = np.searchsorted(t, [c.t0, c.t1])
        tt = t[i0:i1]
        window = smoothstep((tt - c.t0) / c.rise_s) * smoothstep((c.t1 - tt) / c.rise_s)
        share, slow_hz, fast_hz, phase = c.wander
        dt = tt - c.t0
        wander = 0.6 * np.sin(2 * np.pi * slow_hz * dt + phase) + 0.4 * np.sin(
            2 * np.pi * fast_hz * dt + 2.0 * phase
        )
        press = c.press_g * (1.0 + share * wander)
        tremor = (
            abs(float(np.sinc(c.tremor_hz / rate)))
            * c.tremor_g
            * np.sin(2 * np.pi * c.tremor_hz * tt + c.tremor_phase)
        )
        x[i0:i1] += window * (press + tremor)
        for tk, amp, tau in c.kicks:
            j0, j1 = np.searchsorted(t, [tk, tk + 8 * tau])
            x[j0:j1] += amp * np.exp(-(t[j0:j1] - tk) / tau)
        amp, hz, tau, phase = c.ring
        amp *= abs(float(np.sinc(hz / rate)))
        j1 = int(np.searchsorted(t, c.t1 + 8 * tau))
        dt = t[i1:j1] - c.t1
        x[i1:j1] += amp * np.exp(-dt / tau) * np.cos(2 * np.pi * hz * dt + phase)
    return x


def creep(plan: LanePlan, t: Array) -> Array:
    """Each load change g adds ``frac·g`` after 30 min, exponentially (recovery if g < 0)."""
    lane = plan.lane
    tau = lane.creep_tau_s
    gain = lane.creep_frac / (1.0 - np.exp(-1800.0 / tau))
    ct, cg = plan.change_t, plan.change_g * gain
    past = ct <= t[0]
    settled = float(cg[past].sum())
    pending = float((cg[past] * np.exp(-(t[0] - ct[past]) / tau)).sum())
    y: Array = settled - pending * np.exp(-(t - t[0]) / tau)
    inside = ~past & (ct < t[-1])
    for tc, g in zip(ct[inside], cg[inside], strict=True):
        i0 = int(np.searchsorted(t, tc))
        y[i0:] += g * (1.0 - np.exp(-(t[i0:] - tc) / tau))
    return y


@dataclass(frozen=True)
class Thermal:
    """The shelf's temperature (K, relative): daily cycle, HVAC cycle, door draughts."""

    drift: Drift
    day_phase: float
    hvac_phase: float
    doors: tuple[tuple[float, float, float], ...]  # (time, drop K, recovery s)
    tare_k: float  # temperature when the lanes were tared

    @classmethod
    def draw(cls, rng: np.random.Generator, drift: Drift, duration_s: float) -> Thermal:
        n = int(rng.poisson(drift.doors_per_hour * (duration_s + 3600.0) / 3600.0))
        doors = tuple(
            (
                float(rng.uniform(-3600.0, duration_s)),
                float(rng.uniform(*drift.door_drop_k)),
                60.0 * float(rng.uniform(*drift.door_tau_min)),
            )
            for _ in range(n)
        )
        return cls(
            drift=drift,
            day_phase=float(rng.uniform(0, 2 * np.pi)),
            hvac_phase=float(rng.uniform(0, 2 * np.pi)),
            doors=doors,
            tare_k=float(rng.uniform(-3.0, 3.0)),
        )

    def at(self, t: Array) -> Array:
        d = self.drift
        temp = d.daily_amp_k * np.sin(2 * np.pi * t / DAY_S + self.day_phase)
        temp += d.hvac_amp_k * np.sin(2 * np.pi * t / (60.0 * d.hvac_period_min) + self.hvac_phase)
        for td, drop, tau in self.doors:
            if td < t[-1] and td + 10 * tau > t[0]:
                dt = np.maximum(t - td, 0.0)
                temp -= drop * (1.0 - np.exp(-dt / 60.0)) * np.exp(-dt / tau)
        return temp


def signal(plan: LanePlan, t: Array, thermal: Thermal | None) -> Array:
    """The noiseless reading of ``plan``'s lane at times ``t`` (sorted, non-empty)."""
    x = contents(plan, t) + hands(plan, t)
    if plan.lane.creep_frac:
        x += creep(plan, t)
    if thermal is not None and plan.lane.drift_coef:
        x += plan.lane.drift_coef * plan.lane.cell_g * (thermal.at(t) - thermal.tare_k) / 10.0
    return x
