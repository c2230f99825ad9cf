"""A per-book index of products, tax rates and promotions, built once and reused.

Profiling showed that matching every promotion's targets against every line dominated
pricing with a few hundred promotions, so the matching is memoised per SKU and the index is
cached by book identity (a :class:`PriceBook` is frozen, so identity means content).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from contracts.pricebook import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    CouponRule,
    GiftItem,
    PercentOff,
    PriceBook,
    Product,
    Promotion,
    SpendXSaveY,
    Window,
)

UnitPromotion = PercentOff | AmountOff
GroupPromotion = BuyXGetY | BundlePrice
BasketPromotion = SpendXSaveY | GiftItem


def _order(promo: Promotion) -> tuple[int, str]:
    return (promo.priority, promo.id)


@dataclass(frozen=True)
class SkuPromotions:
    """The promotions whose targets match one product, in application order."""

    unit: tuple[UnitPromotion, ...]
    group: tuple[GroupPromotion, ...]
    basket: frozenset[str]
    coupons: frozenset[str]


@dataclass
class PricingIndex:
    """Lookups for :func:`contracts.pricing.price_basket`; built by :func:`index_for`."""

    book: PriceBook
    products: dict[str, Product]
    tax_rates: dict[str, Decimal]
    unit_promotions: tuple[UnitPromotion, ...]
    group_promotions: tuple[GroupPromotion, ...]
    spend_promotions: tuple[SpendXSaveY, ...]
    gift_promotions: tuple[GiftItem, ...]
    coupons_by_prefix: tuple[CouponRule, ...]
    _by_sku: dict[str, SkuPromotions] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, book: PriceBook) -> PricingIndex:
        unit: list[UnitPromotion] = []
        group: list[GroupPromotion] = []
        spend: list[SpendXSaveY] = []
        gift: list[GiftItem] = []
        for promo in sorted(book.promotions, key=_order):
            if isinstance(promo, PercentOff | AmountOff):
                unit.append(promo)
            elif isinstance(promo, BuyXGetY | BundlePrice):
                group.append(promo)
            elif isinstance(promo, SpendXSaveY):
                spend.append(promo)
            else:
                gift.append(promo)
        return cls(
            book=book,
            products={p.sku: p for p in book.products},
            tax_rates={t.code: t.rate for t in book.tax_classes},
            unit_promotions=tuple(unit),
            group_promotions=tuple(group),
            spend_promotions=tuple(spend),
            gift_promotions=tuple(gift),
            # Longest prefix first, so "VIP10" wins over "VIP" for the code "VIP10-…".
            coupons_by_prefix=tuple(sorted(book.coupons, key=lambda c: (-len(c.prefix), c.id))),
        )

    def for_product(self, product: Product) -> SkuPromotions:
        """Promotions targeting ``product``, memoised (the catalog may be 20,000 items)."""
        found = self._by_sku.get(product.sku)
        if found is None:
            found = SkuPromotions(
                unit=tuple(p for p in self.unit_promotions if p.targets.matches(product)),
                group=tuple(p for p in self.group_promotions if p.targets.matches(product)),
                basket=frozenset(
                    p.id
                    for p in (*self.spend_promotions, *self.gift_promotions)
                    if p.targets.matches(product)
                ),
                coupons=frozenset(
                    c.id for c in self.coupons_by_prefix if c.targets.matches(product)
                ),
            )
            with self._lock:
                self._by_sku[product.sku] = found
        return found

    def coupon_rule(self, code: str) -> CouponRule | None:
        for rule in self.coupons_by_prefix:
            if rule.prefix and code.startswith(rule.prefix):
                return rule
        return None


class ActiveSet:
    """Which promotion ids are live for one pricing call (window, members-only)."""

    def __init__(self, book: PriceBook, at: datetime, local: datetime, member: bool) -> None:
        self._at = at
        self._local = local
        self.ids = frozenset(
            p.id
            for p in book.promotions
            if (member or not p.members_only) and self.window_open(p.window)
        )

    def window_open(self, window: Window) -> bool:
        return window.active(self._at, self._local)


_CACHE_SIZE = 4
_cache: OrderedDict[int, PricingIndex] = OrderedDict()
_cache_lock = threading.Lock()


def index_for(book: PriceBook) -> PricingIndex:
    """The cached index of ``book``; a new book (new version) gets a new index."""
    key = id(book)
    with _cache_lock:
        index = _cache.get(key)
        if index is not None and index.book is book:
            _cache.move_to_end(key)
            return index
    index = PricingIndex.build(book)
    with _cache_lock:
        _cache[key] = index
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index
