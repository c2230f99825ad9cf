"""Student-t acceptance limits: how far a residual may go when the spread it is measured in
was itself estimated from few units. Pure arithmetic (no scipy on the node), no I/O."""

from __future__ import annotations

import math
from functools import lru_cache


def t_inside(t: float, dof: int) -> float:
    """P(|T| ≤ t) for Student's t with an integer ``dof`` ≥ 1 (the closed form in
    θ = atan(t/√ν): exact, a short series, no special functions)."""
    theta = math.atan(abs(t) / math.sqrt(dof))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if dof % 2 == 0:
        term = total = 1.0
        for k in range(1, dof // 2):
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
        return s * total
    if dof == 1:
        return 2.0 * theta / math.pi
    term = total = math.cos(theta)
    for k in range(1, (dof - 1) // 2):
        term *= c2 * (2 * k) / (2 * k + 1)
        total += term
    return 2.0 / math.pi * (theta + s * total)


@lru_cache(maxsize=512)
def t_limit(z: float, dof: int) -> float:
    """The |t| with the same two-sided tail as ``z`` under a known spread.

    A residual over a spread estimated from ``dof`` independent units is t-distributed,
    not normal; testing it against this limit keeps the chance of calling a true count
    "foreign" at the one ``z`` was chosen for, however few units the spread rests on."""
    tail = math.erfc(z / math.sqrt(2.0))
    lo, hi = z, z
    while 1.0 - t_inside(hi, dof) > tail:
        lo, hi = hi, 2.0 * hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if 1.0 - t_inside(mid, dof) > tail:
            lo = mid
        else:
            hi = mid
    return hi
