"""Pricing speed: a 100-line cart against 200 active promotions (target: median ≤ 2 ms).

Baseline in the same run: the same cart priced with a book that has no promotions, so the
ratio shows what promotions cost on this machine whatever its load.

    .venv/bin/python -m bench.pricing [--runs N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from contracts.pricebook import PriceBook
from contracts.pricing import BasketLine, price_basket

AT = datetime(2024, 6, 5, 4, 0, tzinfo=UTC)
TARGET_MS = 2.0


def build_book(n_products: int = 2000, n_promotions: int = 200, seed: int = 7) -> PriceBook:
    rnd = random.Random(seed)
    categories = [f"cat{i}" for i in range(20)]
    products = [
        {
            "sku": f"sku{i:05d}",
            "name": f"Product {i}",
            "gtins": [f"{690000000000 + i:014d}"],
            "category": categories[i % len(categories)],
            "price": f"{rnd.randint(100, 9999) / 100:.2f}",
            "member_price": f"{rnd.randint(50, 99) / 100:.2f}" if i % 5 == 0 else None,
            "tax_class": "std" if i % 3 else "food",
            "weighed": i % 50 == 0,
        }
        for i in range(n_products)
    ]
    kinds = ["percent_off", "amount_off", "buy_x_get_y", "bundle_price", "spend_x_save_y"]
    promotions: list[dict[str, Any]] = []
    for i in range(n_promotions):
        kind = kinds[i % len(kinds)] if i % 40 else "gift_item"
        if i % 4 == 0:
            targets = {"categories": [rnd.choice(categories)]}
        else:
            targets = {"skus": [f"sku{rnd.randrange(n_products):05d}" for _ in range(20)]}
        promo: dict[str, Any] = {
            "id": f"promo{i}",
            "name": f"Promotion {i}",
            "kind": kind,
            "targets": targets,
            "priority": rnd.randint(1, 5),
            "window": {"hours": [0, 24]} if i % 2 else {},
        }
        params: dict[str, dict[str, Any]] = {
            "percent_off": {"percent": str(rnd.randint(5, 30))},
            "amount_off": {"amount": "0.50"},
            "buy_x_get_y": {"buy": 2, "get": 1},
            "bundle_price": {"quantity": 3, "price": "20.00"},
            "spend_x_save_y": {"threshold": "50.00", "save": "5.00", "repeat": True},
            "gift_item": {"threshold": "80.00", "gift_sku": "sku00001"},
        }
        promo |= params[kind]
        promotions.append(promo)
    return PriceBook.model_validate(
        {
            "store": "bench",
            "version": 1,
            "published_at": "2024-06-01T00:00:00Z",
            "tax_classes": [{"code": "std", "rate": "0.13"}, {"code": "food", "rate": "0.09"}],
            "products": products,
            "promotions": promotions,
            "rounding": "0.10",
        }
    )


def build_cart(book: PriceBook, n_lines: int = 100, seed: int = 11) -> list[BasketLine]:
    rnd = random.Random(seed)
    chosen = rnd.sample(book.products, n_lines)
    return [
        BasketLine(
            line_id=f"line{i:03d}",
            sku=p.sku,
            qty=Decimal("0.734") if p.weighed else Decimal(rnd.randint(1, 3)),
        )
        for i, p in enumerate(chosen)
    ]


def measure(book: PriceBook, cart: list[BasketLine], runs: int) -> list[float]:
    price_basket(book, cart, at=AT, member=True)  # build the index once, like a kiosk does
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        price_basket(book, cart, at=AT, member=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()
    book = build_book()
    bare = book.model_copy(update={"promotions": []})
    cart = build_cart(book)
    result = price_basket(book, cart, at=AT, member=True)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        measure(book, cart, 200)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
    base = measure(bare, cart, args.runs)
    full = measure(book, cart, args.runs)
    base_ms, full_ms = statistics.median(base), statistics.median(full)
    print(
        f"cart: {len(cart)} lines, {sum(ln.qty for ln in cart)} units; "
        f"promotions: {len(book.promotions)} ({len(result.promotions_applied)} applied); "
        f"discount {result.discount_total}, total {result.total}"
    )
    print(f"baseline (no promotions): median {base_ms:.3f} ms, p95 {_p95(base):.3f} ms")
    print(f"200 promotions:           median {full_ms:.3f} ms, p95 {_p95(full):.3f} ms")
    print(f"ratio: {full_ms / base_ms:.2f}x; target median <= {TARGET_MS} ms: ", end="")
    print("PASS" if full_ms <= TARGET_MS else "FAIL")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    main()
