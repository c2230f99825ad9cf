"""Offline evaluation of "for this member" recommendations against a popularity baseline.

Synthetic but structured purchase histories (seeded): 600 members, each with a few staple
items bought repeatedly and a taste for two of eight categories; items within a category are
bought together. Each member's last basket is held back; both recommenders see only the
earlier baskets. Hit rate@5 = share of held-back baskets containing a recommended item.

Run: .venv/bin/python -m bench.recommendations
"""

from __future__ import annotations

import random
import time

from cloud.marketing import recommend

MEMBERS, CATEGORIES, PER_CATEGORY, K = 600, 8, 15, 5


def histories(seed: int = 11) -> list[list[frozenset[str]]]:
    rng = random.Random(seed)
    items = [[f"c{c}-i{i}" for i in range(PER_CATEGORY)] for c in range(CATEGORIES)]
    popular = [items[c][0] for c in range(CATEGORIES)]  # one best seller per category
    out = []
    for _ in range(MEMBERS):
        tastes = rng.sample(range(CATEGORIES), 2)
        staples = [rng.choice(items[c]) for c in tastes for _ in range(2)]
        baskets = []
        for _ in range(rng.randint(4, 12)):
            basket = {s for s in staples if rng.random() < 0.45}
            c = rng.choice(tastes)
            basket.update(rng.sample(items[c], 2))
            if rng.random() < 0.5:
                basket.add(rng.choice(popular))
            baskets.append(frozenset(basket))
        out.append(baskets)
    return out


def main() -> None:
    data = histories()
    train = [b for member in data for b in member[:-1]]
    held = [member[-1] for member in data]
    t0 = time.perf_counter()
    model = recommend.train(train)
    ours = [recommend.for_member(model, member[:-1], k=K) for member in data]
    took = time.perf_counter() - t0
    baseline = [model.popular(K)] * len(data)
    hit_ours = recommend.hit_rate(ours, held)
    hit_base = recommend.hit_rate(baseline, held)
    print(f"members={MEMBERS} baskets={len(train)} k={K}")
    print(f"popularity baseline hit rate@{K}: {hit_base:.3f}")
    print(f"for_member hit rate@{K}:          {hit_ours:.3f}")
    print(f"ratio: {hit_ours / hit_base:.2f}x  (train + {MEMBERS} recommendations in {took:.2f}s)")


if __name__ == "__main__":
    main()
