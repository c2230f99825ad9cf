"""Quantity from a weight change, with a posterior confidence, and the unit-weight model
learned online from confident single-item events. Pure arithmetic, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuantityEstimate:
    """Best count ``qty`` for ``|Δw|``, its posterior, and whether any ``n·μ`` explains it."""

    qty: int
    confidence: float
    z: float
    matches: bool


class UnitModel:
    """Unit weight ``mu`` and per-unit spread ``sigma_u`` of one SKU, refined from events.

    Learning uses only confident single-item events, with a small gain so one odd item
    (a dented can) barely moves it; the spread is clamped to 0.5–6 % of ``mu``.
    """

    __slots__ = ("_gain", "learned", "mu", "sigma_u")

    @property
    def var_mu(self) -> float:
        """Variance of ``mu`` itself: σu² over the units it rests on (the nominal weight
        counts as one; the gain caps the memory at (2 − g)/g units). A count of n units
        is off by n·(μ̂ − μ), so this grows with n² (a 12-unit restock of a lighter batch)."""
        g = self._gain
        return self.sigma_u * self.sigma_u / (1.0 + min(self.learned, (2.0 - g) / g))

    def __init__(self, mu: float, sigma_u: float | None = None, gain: float = 0.05) -> None:
        self.mu = mu
        self.sigma_u = sigma_u if sigma_u is not None else 0.02 * mu
        self.learned = 0
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

        Some n explains Δw when its residual is within ``z_foreign`` σ or within
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
        return QuantityEstimate(
            qty=best_n,
            confidence=1.0 / total,
            z=best_z,
            matches=(abs(best_z) <= z_foreign and residual <= max_residual_g)
            or residual <= min_residual_g,
        )

    def learn(self, single_weight: float, sigma_m: float) -> None:
        """Fold in the weight of one confidently counted unit."""
        g = self._gain
        err = single_weight - self.mu
        self.mu += g * err
        var = (1 - g) * self.sigma_u**2 + g * max(err * err - 2 * sigma_m * sigma_m, 0.0)
        lo, hi = 0.005 * self.mu, 0.06 * self.mu
        self.sigma_u = min(max(math.sqrt(var), lo), hi)
        self.learned += 1
