"""Random part of a lane's signal, drawn per chunk: white noise, spikes, rails, failed reads."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bench.shelfgen.lanes import Lane
from bench.shelfgen.params import Rails, Spikes

Array = npt.NDArray[np.float64]
RAIL_ODDS = (0.4, 0.2, 0.3, 0.1)  # +full scale, -full scale, raw 0, raw -1


def _runs(
    rng: np.random.Generator, n: int, lengths: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Sample indices covered by runs starting at random places, and each index's run."""
    starts = rng.integers(0, n, len(lengths))
    run = np.repeat(np.arange(len(lengths)), lengths)
    offset = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    idx = np.repeat(starts, lengths) + offset
    keep = idx < n
    return idx[keep], run[keep]


def add_spikes(rng: np.random.Generator, x: Array, spikes: Spikes) -> None:
    """Impulses of 20 g-5 kg (either sign); some are bursts of 2-4 samples."""
    k = int(rng.poisson(spikes.rate * len(x)))
    lengths = np.where(rng.random(k) < spikes.burst_share, rng.integers(2, 5, k), 1)
    idx, run = _runs(rng, len(x), lengths.astype(np.int64))
    lo, hi = np.log(spikes.magnitude_g[0]), np.log(spikes.magnitude_g[1])
    mags = np.exp(rng.uniform(lo, hi, k)) * rng.choice([-1.0, 1.0], k)
    np.add.at(x, idx, mags[run] * rng.uniform(0.5, 1.5, len(idx)))


def add_rails(rng: np.random.Generator, x: Array, lane: Lane, rails: Rails) -> None:
    """Runs of 1..run_max samples reading one of the lane's rail values."""
    k = int(rng.poisson(rails.rate * len(x)))
    lengths = rng.integers(1, rails.run_max + 1, k).astype(np.int64)
    idx, run = _runs(rng, len(x), lengths)
    values = np.array(lane.rails_g)[rng.choice(4, k, p=RAIL_ODDS)]
    x[idx] = values[run]


def draw_dropouts(rng: np.random.Generator, rails: Rails, duration_s: float) -> Array:
    """Shelf-wide gaps (the USB link or the microcontroller stalls): rows of (start, end)."""
    n = int(rng.poisson(rails.dropouts_per_hour * duration_s / 3600.0))
    starts = rng.uniform(0.0, duration_s, n)
    return np.column_stack([starts, starts + rng.uniform(*rails.dropout_s, n)])


def disturb(
    rng: np.random.Generator,
    lane: Lane,
    t: Array,
    x: Array,
    spikes: Spikes | None,
    rails: Rails | None,
    dropouts: Array,
) -> tuple[Array, Array]:
    """The samples as the ADC delivers them: (times kept, grams rounded to 0.01 g)."""
    x = x + lane.sigma_g * rng.standard_normal(len(x))
    if spikes is not None:
        add_spikes(rng, x, spikes)
    keep = np.ones(len(x), dtype=bool)
    if rails is not None:
        add_rails(rng, x, lane, rails)
        keep = rng.random(len(x)) >= rails.drop_share
        for start, end in dropouts[(dropouts[:, 0] < t[-1]) & (dropouts[:, 1] > t[0])]:
            keep &= (t < start) | (t >= end)
    return np.round(t[keep], 4), np.round(x[keep], 2)
