"""One touch of a lane: the hand arrives, items move, the hand leaves, the lane rings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.shelfgen.params import Params, Span

Change = tuple[float, float, float]  # (time the item starts moving, grams, ramp seconds)
Kick = tuple[float, float, float]  # (time, grams, decay seconds)


@dataclass(frozen=True)
class Contact:
    lane: int
    t0: float  # hand arrives
    t1: float  # hand leaves: the event is complete
    press_g: float
    rise_s: float
    tremor_g: float
    tremor_hz: float
    tremor_phase: float
    wander: tuple[float, float, float, float]  # press changes: (share, Hz, Hz, phase)
    changes: tuple[Change, ...]
    kicks: tuple[Kick, ...]
    ring: tuple[float, float, float, float]  # (grams, Hz, decay seconds, phase)

    @property
    def end(self) -> float:
        """When every transient of this touch has died out (8 time constants)."""
        last_kick = max((t + 8 * tau for t, _, tau in self.kicks), default=self.t1)
        return max(self.t1 + 8 * self.ring[2], last_kick)


def _u(rng: np.random.Generator, span: Span) -> float:
    return float(rng.uniform(span[0], span[1]))


def make_contact(
    rng: np.random.Generator, params: Params, lane: int, t0: float, deltas: list[float]
) -> Contact:
    """A touch starting at ``t0`` during which the items of ``deltas`` (grams) move.

    The touch lasts 0.5-3 s (longer when many units are placed: 0.15 s per unit); the items
    move one after another in the middle of it, each over a 0.1-0.3 s ramp, and every ramp
    ends at least 0.05 s before the hand leaves.
    """
    touch, ring = params.touch, params.ring
    duration = max(_u(rng, touch.duration_s), 0.4 + 0.15 * len(deltas))
    t1 = t0 + duration
    first, last = t0 + 0.2 * duration, t1 - 0.1
    starts = np.sort(rng.uniform(first, first + 0.6 * (last - first), len(deltas)))
    changes = tuple(
        (float(tc), float(g), min(_u(rng, (0.1, 0.3)), max(0.02, t1 - 0.05 - float(tc))))
        for tc, g in zip(starts, deltas, strict=True)
    )
    kicks: list[Kick] = [(t0, _u(rng, touch.overshoot_g), _u(rng, (0.03, 0.15)))]
    if changes:
        sign = float(rng.choice([-1.0, 1.0]))
        kicks.append((changes[0][0], sign * _u(rng, touch.overshoot_g), _u(rng, (0.03, 0.15))))
    press = _u(rng, touch.press_g)
    return Contact(
        lane=lane,
        t0=t0,
        t1=t1,
        press_g=press,
        rise_s=min(_u(rng, (0.1, 0.3)), duration / 4),
        tremor_g=press * _u(rng, touch.tremor),
        tremor_hz=_u(rng, (4.0, 12.0)),
        tremor_phase=_u(rng, (0.0, 2 * np.pi)),
        wander=(
            _u(rng, (0.15, 0.4)),
            _u(rng, (0.2, 0.6)),
            _u(rng, (0.8, 2.0)),
            _u(rng, (0.0, 2 * np.pi)),
        ),
        changes=changes,
        kicks=tuple(kicks),
        ring=(
            _u(rng, ring.amp_g),
            _u(rng, ring.freq_hz),
            _u(rng, ring.tau_s),
            _u(rng, (0.0, 2 * np.pi)),
        ),
    )
