"""Quantity from a weight change, with a posterior confidence, and the unit-weight model
learned online from confident single-item events. Pure arithmetic, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shelf_sensors.student import t_limit


@dataclass(frozen=True, slots=True)
class QuantityEstimate:
    """Best count ``qty`` for ``|Δw|``, its posterior, and whether any ``n·μ`` explains it:
    ``fits`` within the units' spread, ``matches`` within it or the grams floor (0263)."""

    qty: int
    confidence: float
    z: float
    matches: bool
    fits: bool


def overfill_limit(capacity: int) -> int:
    """The most units a lane is believed to hold: its capacity + 10 % (≥ 2), for a count a
    few units high."""
    return capacity + max(2, capacity // 10)


def fits_room(est: QuantityEstimate, count: int, capacity: int, overfill_z: float) -> bool:
    """A put of ``est.qty`` onto ``count`` units fits the lane: within its capacity, or over
    it by at most 10 % (≥ 2: a count a few units high) only when the weight fits within
    ``overfill_z`` σ and the put alone is no more than the lane holds. An overfill needs an
    earlier miscount as well, so it needs more evidence: a foreign object just beyond 4 σ of
    n·μ was read as a put past capacity (`foreign` 10000: 1.2 kg as 41 units of 29 g)."""
    after = count + est.qty
    if after <= capacity:
        return True
    return est.qty <= capacity and after <= overfill_limit(capacity) and abs(est.z) <= overfill_z


class UnitModel:
    """Unit weight ``mu`` and per-unit spread ``sigma_u`` of one SKU, refined from events.

    Learning uses only confident single-item events, with a small gain so one odd item
    (a dented can) barely moves it; the spread is clamped to 0.5–6 % of ``mu``.
    """

    __slots__ = ("_gain", "_last_single", "independent", "learned", "loaded", "mu", "sigma_u")

    @property
    def dof(self) -> int:
        """Units the learned spread rests on, for its Student-t limit (0261): the nominal
        spread is worth 1/g units (the EMA keeps (1 − g)^k of it after k units, as a prior
        of 1/g units would to first order), plus each learned unit that is not the last
        one weighed again (a pick put back), up to the gain's memory (2 − g)/g."""
        g = self._gain
        return int(min(round(1.0 / g) + self.independent, (2.0 - g) / g))

    @property
    def var_mu(self) -> float:
        """Variance of ``mu`` itself: σu² over the units it rests on (the nominal weight
        counts as one, plus the units of a first load that agreed with it; the gain caps
        the memory at (2 − g)/g units). A count of n units is off by n·(μ̂ − μ), so this
        grows with n² (a 12-unit restock of a lighter batch)."""
        g = self._gain
        units = min(self.learned + self.loaded, (2.0 - g) / g)
        return self.sigma_u * self.sigma_u / (1.0 + units)

    def confirm_load(self, units: int, offset: float, sigma_m: float) -> None:
        """A first settled load of ``units`` that lies ``offset`` g off ``units·mu``: when
        that is within 3 σ of the units' spread, the load is a mean of ``units`` units that
        agrees with ``mu``, so they count as evidence for it (0258: an unknown object near
        7 units is not a 7-unit put just because no single unit was weighed yet; 0266: at
        2 σ one good load in 22 was refused by chance)."""
        sd = math.sqrt(units * self.sigma_u * self.sigma_u + 2.0 * sigma_m * sigma_m)
        self.loaded = units if units > 0 and abs(offset) <= 3.0 * sd else 0

    def could_be_units(self, weight: float, max_residual: float) -> bool:
        """``weight`` is within ``max_residual`` of two or more whole units: a restock that
        no count explained may still be one (0258)."""
        n = round(weight / self.mu)
        return n >= 2 and abs(weight - n * self.mu) <= max_residual

    def __init__(self, mu: float, sigma_u: float | None = None, gain: float = 0.05) -> None:
        self.mu = mu
        self.sigma_u = sigma_u if sigma_u is not None else 0.02 * mu
        self.learned = 0
        self.loaded = 0
        self.independent = 0
        self._last_single = math.nan
        self._gain = gain

    def estimate(
        self,
        delta: float,
        sigma_m: float,
        max_qty: int,
        z_foreign: float = 4.0,
        min_residual_g: float = 0.0,
        max_residual_g: float = math.inf,
    ) -> QuantityEstimate:
        """n maximising N(|Δw|; nμ, nσu² + n² var μ + 2σm²) over 1..max_qty, with its posterior.

        Some n explains Δw when its residual is within ``z_foreign`` σ (as a Student-t
        limit of the same tail, σu being estimated from :attr:`dof` units) or within
        ``min_residual_g`` (a floor, so a learned spread that is too tight cannot turn a
        3-unit pick of light items into a foreign object) and never beyond
        ``max_residual_g`` (a spread learned too wide cannot make half a unit a count)."""
        w = abs(delta)
        mu = self.mu
        su2 = self.sigma_u * self.sigma_u
        sm2 = 2.0 * sigma_m * sigma_m
        vm = self.var_mu
        centre = max(1, round(w / mu))
        lo = max(1, centre - 3)
        hi = max(lo, min(max_qty, centre + 3))
        best_n, best_ll, best_z = lo, -math.inf, math.inf
        lls: list[float] = []
        for n in range(lo, hi + 1):
            var = n * su2 + n * n * vm + sm2
            z = (w - n * mu) / math.sqrt(var)
            ll = -0.5 * z * z - 0.5 * math.log(var)
            lls.append(ll)
            if ll > best_ll:
                best_n, best_ll, best_z = n, ll, z
        total = sum(math.exp(ll - best_ll) for ll in lls)
        residual = abs(w - best_n * mu)
        fits = abs(best_z) <= t_limit(z_foreign, self.dof) and residual <= max_residual_g
        return QuantityEstimate(
            qty=best_n,
            confidence=1.0 / total,
            z=best_z,
            matches=fits or residual <= min_residual_g,
            fits=fits,
        )

    def learn(self, single_weight: float, sigma_m: float) -> None:
        """Fold in the weight of one confidently counted unit. One within 6 σm of the last
        (the same unit put back: its weight is known to 2 σm) adds no independent unit."""
        g = self._gain
        err = single_weight - self.mu
        self.mu += g * err
        var = (1 - g) * self.sigma_u**2 + g * max(err * err - 2 * sigma_m * sigma_m, 0.0)
        lo, hi = 0.005 * self.mu, 0.06 * self.mu
        self.sigma_u = min(max(math.sqrt(var), lo), hi)
        self.learned += 1
        if not abs(single_weight - self._last_single) <= 6.0 * sigma_m:
            self.independent += 1
        self._last_single = single_weight
