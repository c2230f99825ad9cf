"""The physical shelf: lanes, their products, load cells and ADC rails."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.shelfgen.params import Params, Span

CELLS_G = (5_000.0, 20_000.0, 50_000.0)
ADC_MAX = 2**23 - 1  # HX711: 24-bit two's complement
ADC_MIN = -(2**23)
RATE_ERROR = 0.01  # the HX711's own oscillator: each lane's real rate is off by up to 1 %


@dataclass(frozen=True)
class Lane:
    """One lane: what LANES.yaml says about it plus the hidden physics of its cell."""

    id: str
    sku: str
    unit_g: float  # nominal mean unit weight (LANES.yaml unit_weight_g)
    spread: float  # unit weight spread, share of unit_g
    capacity: int
    low_stock_at: int
    cell_g: float  # load cell full scale
    sigma_g: float  # white noise
    rails_g: tuple[float, float, float, float]  # grams read for raw +FS, -FS, 0, -1
    rate_hz: float  # real sample rate of this lane's ADC
    phase_s: float  # time of sample 0
    creep_frac: float = 0.0  # share of a load change added after 30 min
    creep_tau_s: float = 600.0
    drift_coef: float = 0.0  # signed share of full scale per 10 K

    def yaml_entry(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "unit_weight_g": self.unit_g,
            "capacity": self.capacity,
            "low_stock_at": self.low_stock_at,
        }

    def unit(self, rng: np.random.Generator, n: int = 1) -> list[float]:
        """``n`` new physical units: each has its own weight for its whole life (±3 σ)."""
        z = np.clip(rng.standard_normal(n), -3.0, 3.0)
        return [float(w) for w in self.unit_g * (1.0 + self.spread * z)]


def _unit_weights(rng: np.random.Generator, n: int) -> list[float]:
    """Log-uniform 25-2,000 g, with one lane under 60 g and one over 1 kg on every shelf."""
    spans: list[Span] = [(25.0, 60.0), (1000.0, 2000.0)] + [(25.0, 2000.0)] * max(0, n - 2)
    weights = [float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) for lo, hi in spans[:n]]
    return [round(float(w), 1) for w in rng.permutation(weights)]


def _rails(rng: np.random.Generator, cell_g: float) -> tuple[float, float, float, float]:
    """What the rail codes read as, in grams, after calibration (scale) and tare (offset)."""
    scale = 0.45 * ADC_MAX / cell_g  # counts per gram: a 2 mV/V cell uses about half the range
    tray_g = rng.uniform(150.0, 1500.0)
    offset = rng.uniform(-0.1, 0.1) * ADC_MAX + tray_g * scale
    raws = (ADC_MAX, ADC_MIN, 0, -1)
    hi, lo, zero, minus_one = (round((raw - offset) / scale, 2) for raw in raws)
    return hi, lo, zero, minus_one


def build_lanes(
    rng: np.random.Generator, params: Params, rate_hz: float, n_lanes: int = 8
) -> list[Lane]:
    """``n_lanes`` lanes with plausible capacities for their unit weight and cell size."""
    lanes = []
    for i, unit_g in enumerate(_unit_weights(rng, n_lanes)):
        capacity = int(np.clip(round(rng.uniform(2500.0, 15000.0) / unit_g), 4, 40))
        fits = [c for c in CELLS_G if capacity * unit_g * 1.1 <= 0.8 * c] or [CELLS_G[-1]]
        cell = fits[0]
        if rng.random() < params.noise.oversize_share and cell != CELLS_G[-1]:
            cell = CELLS_G[CELLS_G.index(cell) + 1]
        sigma_span = params.noise.sigma_small_g if cell <= 5000 else params.noise.sigma_big_g
        creep_frac, creep_tau = 0.0, 600.0
        if params.creep is not None:
            creep_frac = float(rng.uniform(*params.creep.frac_30min))
            creep_tau = 60.0 * float(rng.uniform(*params.creep.tau_min))
        drift_coef = 0.0
        if params.drift is not None:
            drift_coef = float(rng.uniform(*params.drift.coef_per_10k)) * float(
                rng.choice([-1.0, 1.0])
            )
        real_rate = rate_hz * (1.0 + rng.uniform(-RATE_ERROR, RATE_ERROR))
        lanes.append(
            Lane(
                id=f"L{i + 1}",
                sku=f"SKU-{int(rng.integers(10_000, 99_999))}",
                unit_g=unit_g,
                spread=float(rng.uniform(*params.activity.spread)),
                capacity=capacity,
                low_stock_at=max(1, round(capacity * rng.uniform(0.15, 0.3))),
                cell_g=cell,
                sigma_g=float(rng.uniform(*sigma_span)),
                rails_g=_rails(rng, cell),
                rate_hz=real_rate,
                phase_s=(i + rng.uniform(0.0, 0.9)) / (rate_hz * n_lanes),
                creep_frac=creep_frac,
                creep_tau_s=creep_tau,
                drift_coef=drift_coef,
            )
        )
    return lanes


def distinguishable(weight_g: float, lane: Lane, max_units: int) -> bool:
    """A foreign object whose weight no count of this lane's units explains.

    Fair to ask of a detector: the weight is at least 10 g and 0.3 unit from every
    ``n × unit`` (n = 0..max_units) and more than 4 σ away from it, σ combining the spread
    of n units with the white noise of a before and an after level.
    """
    for n in range(max_units + 1):
        gap = abs(weight_g - n * lane.unit_g)
        sigma = float(np.sqrt(n * (lane.spread * lane.unit_g) ** 2 + 2 * lane.sigma_g**2))
        if gap < max(10.0, 0.3 * lane.unit_g, 4 * sigma):
            return False
    return True
