"""Noise families: which real-shelf phenomena a trace carries, and their parameter ranges.

Each phenomenon has an "on" range (from FIELD-NOTES "Load cells (HX711)" and issue 17) and,
for the hand, a gentle "off" setting: someone always touches the lane to move an item. A
family switches phenomena on; ``mixed`` switches each on at random (at least three), and
``quiet`` has no shoppers at all. Per-trace values (rates, shares) are drawn here from the
ranges; per-touch and per-lane values are drawn later from the ranges kept in `Params`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bench.shelfgen.exceptions import UnknownFamilyError

Span = tuple[float, float]


@dataclass(frozen=True)
class Touch:
    """The hand resting on the lane while items move (per touch: press, duration, overshoot)."""

    press_g: Span
    duration_s: Span
    overshoot_g: Span
    tremor: Span  # hand tremor, as a share of the press
    browse_share: float = 0.0  # visits that only press the lane, nothing moves


@dataclass(frozen=True)
class Ring:
    """Damped oscillation after the hand leaves (per touch: amplitude, frequency, decay)."""

    amp_g: Span
    freq_hz: Span
    tau_s: Span


@dataclass(frozen=True)
class Spikes:
    rate: float  # spike events per sample
    burst_share: float  # of spike events that are bursts of 2-4 samples
    magnitude_g: Span  # log-uniform, either sign


@dataclass(frozen=True)
class Rails:
    rate: float  # rail runs per sample (ADC full scale, negative full scale, raw 0, raw -1)
    run_max: int  # a run lasts 1..run_max samples
    drop_share: float  # failed reads: the row is missing
    dropouts_per_hour: float  # longer gaps without rows
    dropout_s: Span


@dataclass(frozen=True)
class Creep:
    frac_30min: Span  # per lane: share of each load change added after 30 min
    tau_min: Span  # per lane: exponential time constant


@dataclass(frozen=True)
class Drift:
    coef_per_10k: Span  # per lane, random sign: zero drift as a share of full scale per 10 K
    daily_amp_k: float
    hvac_amp_k: float
    hvac_period_min: float
    doors_per_hour: float  # a door opens: the shelf cools by door_drop_k, recovers in door_tau
    door_drop_k: Span
    door_tau_min: Span


@dataclass(frozen=True)
class Noise:
    sigma_small_g: Span  # white noise on 5 kg cells
    sigma_big_g: Span  # white noise on 20 kg and 50 kg cells
    oversize_share: float  # lanes fitted with a cell one size larger than needed


@dataclass(frozen=True)
class Activity:
    events_per_min: float  # shopper visits per minute on the whole shelf
    spread: Span  # per lane: unit weight spread (share of the mean)
    multi_share: float  # picks of 2-4 units at once
    quick_share: float  # pick then put back shortly after
    two_lane_share: float  # two lanes touched at once
    foreign_share: float  # an item from elsewhere put on the lane (later removed)
    foreign_left_share: float  # foreign items never removed before the trace ends
    stockout_lanes: int  # lanes driven to empty, then restocked
    gap_s: Span  # hands-off time between two touches of one lane


@dataclass(frozen=True)
class Params:
    family: str
    phenomena: tuple[str, ...]
    touch: Touch
    ring: Ring
    noise: Noise
    activity: Activity
    spikes: Spikes | None = None
    rails: Rails | None = None
    creep: Creep | None = None
    drift: Drift | None = None


GENTLE_TOUCH = Touch(press_g=(0, 15), duration_s=(0.4, 1.0), overshoot_g=(0, 10), tremor=(0, 0.02))
GENTLE_RING = Ring(amp_g=(0, 5), freq_hz=(2, 12), tau_s=(0.05, 0.15))
NORMAL_NOISE = Noise(sigma_small_g=(0.3, 1.0), sigma_big_g=(1.0, 3.0), oversize_share=0.0)

PHENOMENA: dict[str, str] = {
    "touch": "hand pressing 20-300 g (changing by ±15-40 % at 0.2-2 Hz, tremor 2-10 % at "
    "4-12 Hz) for 0.5-3 s, "
    "overshoot ±20-200 g; 10-30 % of visits only press the lane",
    "ringing": "after release: damped oscillation 10-200 g, 2-12 Hz, decay τ 0.1-0.5 s "
    "(seen through the ADC's averaging: |sinc(f/rate)|)",
    "spikes": "impulses 20 g-5 kg (log-uniform, either sign), 1e-4-2e-2 per sample, "
    "10-30 % as bursts of 2-4 samples",
    "rails": "ADC rail values (+full scale, -full scale, raw 0, raw -1) 1e-4-2e-3 runs per "
    "sample of 1-10 samples; failed reads (missing rows) 0.1-10 %; 2-20 dropouts/h of 0.2-2 s",
    "creep": "0.02-0.06 % of each load change after 30 min, exponential τ 3-15 min, "
    "recovery on unloading",
    "drift": "zero drift 0.03-0.08 % FS per 10 K; daily cycle ±2-6 K, HVAC ±0.5-2 K every "
    "15-60 min, 0-3 door draughts/h of 1-4 K recovering in 5-20 min",
    "noise": "white noise at the top of the range (σ 0.6-1 g on 5 kg, 2-3 g on 20/50 kg) "
    "and 30 % of lanes on an oversized cell",
    "multi": "30-60 % of picks take 2-4 units; 10-25 % pick-then-put-back within 1-2.5 s; "
    "15-35 % two neighbouring lanes at once (30 % of those: one hand only rests); "
    "unit spread 2-3 %",
    "foreign": "10-25 % of visits put an item from elsewhere (another lane's unit or an "
    "unknown 15-1500 g object) on a lane; removed 10 s-15 min later, 10-30 % left",
    "stockout": "2-4 lanes start with 2-6 units and are emptied; a clerk restocks them after "
    "20 s-5 min in 1-3 placements of 2-12 units (any lane may empty)",
}
BASE = (
    "every family: 8 lanes, units 25-2,000 g (log-uniform, one lane < 60 g and one > 1 kg), "
    "unit spread 1-3 %, white noise σ 0.3-1 g (5 kg cells) or 1-3 g (20/50 kg), "
    "6-14 visits/min, clerk restocks lanes at low stock after 1-10 min; outside stockout "
    "shoppers leave the last unit, so lanes do not empty"
)
FAMILIES: dict[str, str] = {
    "clean": "control: only the base (gentle hands, white noise, unit spread)",
    **PHENOMENA,
    "mixed": "each phenomenon above on with probability 1/2 (at least three), ranges as above",
    "quiet": "no shoppers: white noise, drift, creep (from stocking before the trace), spikes "
    "and rails; default 24 h from the command line",
}


def _uniform(rng: np.random.Generator, span: Span) -> float:
    return float(rng.uniform(span[0], span[1]))


def _log_uniform(rng: np.random.Generator, span: Span) -> float:
    return float(np.exp(rng.uniform(np.log(span[0]), np.log(span[1]))))


def _touch(rng: np.random.Generator) -> Touch:
    return Touch(
        press_g=(20, 300),
        duration_s=(0.5, 3.0),
        overshoot_g=(20, 200),
        tremor=(0.02, 0.1),
        browse_share=_uniform(rng, (0.1, 0.3)),
    )


def _spikes(rng: np.random.Generator) -> Spikes:
    return Spikes(
        rate=_log_uniform(rng, (1e-4, 2e-2)),
        burst_share=_uniform(rng, (0.1, 0.3)),
        magnitude_g=(20, 5000),
    )


def _rails(rng: np.random.Generator) -> Rails:
    return Rails(
        rate=_log_uniform(rng, (1e-4, 2e-3)),
        run_max=10,
        drop_share=_log_uniform(rng, (1e-3, 0.1)),
        dropouts_per_hour=_uniform(rng, (2, 20)),
        dropout_s=(0.2, 2.0),
    )


def _drift(rng: np.random.Generator) -> Drift:
    return Drift(
        coef_per_10k=(3e-4, 8e-4),
        daily_amp_k=_uniform(rng, (2, 6)),
        hvac_amp_k=_uniform(rng, (0.5, 2)),
        hvac_period_min=_uniform(rng, (15, 60)),
        doors_per_hour=_uniform(rng, (0, 3)),
        door_drop_k=(1, 4),
        door_tau_min=(5, 20),
    )


def _activity(rng: np.random.Generator, on: set[str], events_per_min: float | None) -> Activity:
    act = Activity(
        events_per_min=events_per_min if events_per_min is not None else _uniform(rng, (6, 14)),
        spread=(0.01, 0.03),
        multi_share=0.05,
        quick_share=0.0,
        two_lane_share=0.0,
        foreign_share=0.0,
        foreign_left_share=0.0,
        stockout_lanes=0,
        gap_s=(2.5, 8.0),
    )
    if "multi" in on:
        act = replace(
            act,
            spread=(0.02, 0.03),
            multi_share=_uniform(rng, (0.3, 0.6)),
            quick_share=_uniform(rng, (0.1, 0.25)),
            two_lane_share=_uniform(rng, (0.15, 0.35)),
        )
    if "foreign" in on:
        act = replace(
            act,
            foreign_share=_uniform(rng, (0.1, 0.25)),
            foreign_left_share=_uniform(rng, (0.1, 0.3)),
        )
    if "stockout" in on:
        act = replace(act, stockout_lanes=int(rng.integers(2, 5)))
    return act


def phenomena_of(family: str, rng: np.random.Generator) -> tuple[str, ...]:
    """The phenomena a family switches on (``mixed`` draws them from ``rng``)."""
    if family not in FAMILIES:
        raise UnknownFamilyError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    if family == "clean":
        return ()
    if family == "quiet":
        return ("spikes", "rails", "creep", "drift")
    if family == "mixed":
        names = list(PHENOMENA)
        while True:
            chosen = tuple(n for n in names if rng.random() < 0.5)
            if len(chosen) >= 3:
                return chosen
    return (family,)


def draw_params(family: str, rng: np.random.Generator, events_per_min: float | None) -> Params:
    """Per-trace parameters of ``family``; ``events_per_min`` overrides the shopper rate."""
    on = set(phenomena_of(family, rng))
    if family == "quiet":
        events_per_min = 0.0
    return Params(
        family=family,
        phenomena=tuple(sorted(on)),
        touch=_touch(rng) if "touch" in on else GENTLE_TOUCH,
        ring=Ring(amp_g=(10, 200), freq_hz=(2, 12), tau_s=(0.1, 0.5))
        if "ringing" in on
        else GENTLE_RING,
        noise=Noise(sigma_small_g=(0.6, 1.0), sigma_big_g=(2.0, 3.0), oversize_share=0.3)
        if "noise" in on
        else NORMAL_NOISE,
        activity=_activity(rng, on, events_per_min),
        spikes=_spikes(rng) if "spikes" in on else None,
        rails=_rails(rng) if "rails" in on else None,
        creep=Creep(frac_30min=(2e-4, 6e-4), tau_min=(3, 15)) if "creep" in on else None,
        drift=_drift(rng) if "drift" in on else None,
    )
