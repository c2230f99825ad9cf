"""Recommendations from purchase history. Pure: baskets in, ranked product keys out.

"Frequently bought together" scores pairs by co-occurrence over baskets, normalised by how
common the candidate is (a light lift, so milk does not top every list). "For this member"
blends the member's own repeat purchases with items bought with them, and falls back on
popularity for members with little history. Offline evaluation lives in bench/recommendations.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Basket = frozenset[str]


@dataclass
class Model:
    """Counts learned from baskets; cheap to rebuild nightly."""

    item_count: Counter[str] = field(default_factory=Counter)
    pair_count: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    baskets: int = 0

    def popular(self, k: int, exclude: Iterable[str] = ()) -> list[str]:
        skip = set(exclude)
        ranked = sorted(self.item_count.items(), key=lambda kv: (-kv[1], kv[0]))
        return [item for item, _ in ranked if item not in skip][:k]


def train(baskets: Iterable[Iterable[str]], max_basket: int = 50) -> Model:
    model = Model()
    for raw in baskets:
        items = sorted(set(raw))[:max_basket]
        if not items:
            continue
        model.baskets += 1
        model.item_count.update(items)
        for a in items:
            row = model.pair_count[a]
            for b in items:
                if a != b:
                    row[b] += 1
    return model


def together(model: Model, item: str, k: int = 5) -> list[str]:
    """Items most often bought with ``item`` (lift-damped co-occurrence)."""
    row = model.pair_count.get(item)
    if not row:
        return []
    scored = {b: n / math.sqrt(model.item_count[b]) for b, n in row.items() if n >= 1}
    return [b for b, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))][:k]


def for_member(
    model: Model, history: Sequence[Iterable[str]], k: int = 5, repeat_weight: float = 1.0
) -> list[str]:
    """Next-basket candidates for a member whose past baskets are ``history`` (oldest first)."""
    score: dict[str, float] = defaultdict(float)
    n = len(history)
    for age, basket in enumerate(reversed(history)):
        decay = 0.85**age
        items = set(basket)
        for item in items:
            score[item] += repeat_weight * decay * 2.0
            row = model.pair_count.get(item)
            if row is None:
                continue
            norm = model.item_count[item] or 1
            for other, c in row.most_common(20):
                score[other] += decay * c / norm
    if n == 0 or not score:
        return model.popular(k)
    ranked = [i for i, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))][:k]
    if len(ranked) < k:
        ranked += model.popular(k - len(ranked), exclude=ranked)
    return ranked


def hit_rate(predictions: Sequence[Sequence[str]], held_out: Sequence[Iterable[str]]) -> float:
    """Share of held-out baskets with at least one predicted item in them."""
    if not held_out:
        return 0.0
    hits = sum(1 for p, h in zip(predictions, held_out, strict=True) if set(p) & set(h))
    return hits / len(held_out)
