"""The pricing steps on a working basket in integer cents (rules: :mod:`contracts.pricing`).

Integer cents keep every split exact and are several times faster than Decimal in the inner
loops; conversion happens once on the way in and once on the way out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from contracts.pricebook import (
    AmountOff,
    BundlePrice,
    BuyXGetY,
    CouponRule,
    PercentOff,
    Product,
)
from contracts.pricing_index import ActiveSet, GroupPromotion, PricingIndex, SkuPromotions

_HUNDRED = Decimal(100)
_ONE = Decimal(1)


@lru_cache(maxsize=8192)
def to_cents(value: Decimal) -> int:
    """Half-up to whole cents."""
    return int((value * _HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


@lru_cache(maxsize=8192)
def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def percent_of(cents: int, percent: Decimal) -> int:
    """``percent`` % of ``cents``, half up, never more than ``cents``."""
    value = (Decimal(cents) * percent / _HUNDRED).to_integral_value(rounding=ROUND_HALF_UP)
    return min(cents, int(value))


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` cents in proportion to ``weights`` (largest remainder, ties by index).

    Shares sum exactly to ``total``; when ``total <= sum(weights)`` no share exceeds its
    weight, which is what keeps every line net non-negative.
    """
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    left = total - sum(shares)
    if left:
        order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
        for i in order[:left]:
            shares[i] += 1
    return shares


@dataclass
class WorkLine:
    """A line being priced; money in cents."""

    line_id: str
    product: Product
    promos: SkuPromotions
    qty: Decimal
    unit_price: Decimal
    amount: int
    gtin: str
    units: int = 0
    unit_cents: int = 0
    overridden: bool = False
    gift: bool = False
    discounts: list[tuple[str, str, int]] = field(default_factory=list)
    net: int = 0

    def __post_init__(self) -> None:
        self.net = self.amount - sum(d[2] for d in self.discounts)

    @property
    def weighed(self) -> bool:
        return self.product.weighed

    def add(self, promo_id: str, name: str, cents: int) -> None:
        if cents > 0:
            self.discounts.append((promo_id, name, cents))
            self.net -= cents


def _unit_discount(promo: PercentOff | AmountOff, cents: int) -> int:
    if isinstance(promo, PercentOff):
        return percent_of(cents, promo.percent)
    return min(cents, to_cents(promo.amount))


def _weighed_discount(promo: PercentOff | AmountOff, line: WorkLine) -> int:
    if isinstance(promo, PercentOff):
        return percent_of(line.amount, promo.percent)
    return min(line.amount, to_cents(promo.amount * line.qty))


def apply_item_level(index: PricingIndex, lines: list[WorkLine], active: ActiveSet) -> set[str]:
    """One item-level promotion per unit: unit-consuming ones in priority order, then the
    best per-unit offer on whatever they left. Returns the ids that gave a discount."""
    used: set[str] = set()
    best: dict[int, tuple[PercentOff | AmountOff, int]] = {}
    group_lines: dict[str, list[int]] = defaultdict(list)
    memo: dict[tuple[str, int], int] = {}
    for i, line in enumerate(lines):
        if line.overridden or line.gift:
            continue
        offers = [p for p in line.promos.unit if p.id in active.ids]
        if line.weighed:
            top = max(offers, key=lambda p: _weighed_discount(p, line), default=None)
            if top is not None and _weighed_discount(top, line) > 0:
                line.add(top.id, top.name, _weighed_discount(top, line))
                used.add(top.id)
            continue
        for promo in offers:
            key = (promo.id, line.unit_cents)
            cents = memo.get(key, -1)
            if cents < 0:
                cents = memo[key] = _unit_discount(promo, line.unit_cents)
            if cents > best.get(i, (promo, 0))[1]:
                best[i] = (promo, cents)
        for group in line.promos.group:
            if group.id in active.ids:
                group_lines[group.id].append(i)
    claimed = [0] * len(lines)
    for group in (g for g in index.group_promotions if g.id in group_lines):
        members = sorted(
            group_lines[group.id],
            key=lambda i: (-lines[i].unit_cents, lines[i].product.sku, lines[i].line_id),
        )
        units = [i for i in members for _ in range(lines[i].units - claimed[i])]
        if _claim(group, units, lines, best, claimed):
            used.add(group.id)
    for i, (promo, cents) in sorted(best.items()):
        left = lines[i].units - claimed[i]
        if left > 0:
            lines[i].add(promo.id, promo.name, cents * left)
            used.add(promo.id)
    return used


def _claim(
    group: GroupPromotion,
    units: list[int],
    lines: list[WorkLine],
    best: dict[int, tuple[PercentOff | AmountOff, int]],
    claimed: list[int],
) -> bool:
    """Form chunks over ``units`` (dearest first); keep a chunk only if it beats per-unit offers."""
    size = group.buy + group.get if isinstance(group, BuyXGetY) else group.quantity
    applied = False
    for start in range(0, len(units) - size + 1, size):
        chunk = units[start : start + size]
        prices = [lines[i].unit_cents for i in chunk]
        if isinstance(group, BuyXGetY):
            shares = [0] * group.buy + [percent_of(p, group.percent) for p in prices[group.buy :]]
        else:
            assert isinstance(group, BundlePrice)
            gain = sum(prices) - to_cents(group.price)
            shares = apportion(gain, prices)
        alternative = sum(best[i][1] for i in chunk if i in best)
        if sum(shares) <= alternative:
            continue
        for i, share in zip(chunk, shares, strict=True):
            claimed[i] += 1
            lines[i].add(group.id, group.name, share)
        applied = True
    return applied


def basket_targets(lines: list[WorkLine], active: ActiveSet) -> dict[str, list[WorkLine]]:
    """Active spend/gift promotion id → its target lines (gifts excluded), in line order."""
    out: dict[str, list[WorkLine]] = defaultdict(list)
    for line in lines:
        if line.gift:
            continue
        for promo_id in line.promos.basket:
            if promo_id in active.ids:
                out[promo_id].append(line)
    return out


def apply_spend_promotions(
    index: PricingIndex, lines: list[WorkLine], active: ActiveSet
) -> set[str]:
    """满减 in priority order, each measured on what the shopper still pays for its targets."""
    used: set[str] = set()
    by_promo = basket_targets(lines, active)
    for promo in index.spend_promotions:
        targets = by_promo.get(promo.id)
        if not targets:
            continue
        base = sum(ln.net for ln in targets)
        threshold = to_cents(promo.threshold)
        if threshold <= 0 or base < threshold:
            continue
        times = base // threshold if promo.repeat else 1
        apply_amount(promo.id, promo.name, min(base, to_cents(promo.save) * times), targets)
        used.add(promo.id)
    return used


def coupon_discount(
    rule: CouponRule, lines: list[WorkLine], active: ActiveSet, before: dict[str, int]
) -> tuple[int, list[WorkLine], str | None]:
    """The discount a coupon would give, its target lines, or the reason it does not apply.

    ``before`` holds each line's net before any coupon: minimum spends are measured on it,
    so one coupon never disqualifies another.
    """
    if not active.window_open(rule.window):
        return 0, [], "not_active"
    targets = [ln for ln in lines if not ln.gift and rule.id in ln.promos.coupons]
    base = sum(ln.net for ln in targets)
    if base <= 0:
        return 0, [], "no_eligible_items"
    if sum(before[ln.line_id] for ln in targets) < to_cents(rule.min_spend):
        return 0, [], "below_min_spend"
    if rule.kind == "percent_off":
        cents = percent_of(base, min(rule.value, _HUNDRED))
    else:
        cents = min(base, to_cents(rule.value))
    if cents <= 0:
        return 0, [], "no_eligible_items"
    return cents, targets, None


def apply_amount(promo_id: str, name: str, cents: int, targets: list[WorkLine]) -> None:
    """Spread a basket-level discount over ``targets`` by net, exactly.

    First over groups of lines of the same product and price, then inside each group, so
    how a quantity was split over lines cannot move cents between tax rates.
    """
    groups: dict[tuple[str, Decimal, bool], list[WorkLine]] = defaultdict(list)
    for line in targets:
        groups[(line.product.sku, line.unit_price, line.overridden)].append(line)
    keys = sorted(groups, key=lambda k: (k[0], k[1], k[2]))
    totals = [sum(ln.net for ln in groups[k]) for k in keys]
    for key, group_cents in zip(keys, apportion(cents, totals), strict=True):
        members = groups[key]
        for line, share in zip(
            members, apportion(group_cents, [ln.net for ln in members]), strict=True
        ):
            line.add(promo_id, name, share)


def tax_split(
    lines: list[WorkLine], rates: list[Decimal], inclusive: bool
) -> tuple[list[int], list[tuple[Decimal, int]]]:
    """Tax per rate computed once on the rate's net total, then apportioned to its lines.

    Rounding per rate (not per line) keeps the tax, and so an exclusive total, the same
    however the lines are split or ordered.
    """
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for i, rate in enumerate(rates):
        by_rate[rate].append(i)
    taxes = [0] * len(lines)
    summary: list[tuple[Decimal, int]] = []
    for rate in sorted(by_rate):
        idx = by_rate[rate]
        nets = [lines[i].net for i in idx]
        base = Decimal(sum(nets))
        raw = base * rate / (_ONE + rate) if inclusive else base * rate
        tax = int(raw.to_integral_value(rounding=ROUND_HALF_UP))
        for i, share in zip(idx, apportion(tax, nets), strict=True):
            taxes[i] = share
        summary.append((rate, tax))
    return taxes, summary


def apply_rounding(lines: list[WorkLine], adjustment: int) -> int:
    """Give the rounding-down as a ``rounding`` discount, dearest net lines first."""
    left = min(adjustment, sum(ln.net for ln in lines))
    given = 0
    for line in sorted(lines, key=lambda ln: (-ln.net, ln.line_id)):
        if left <= 0:
            break
        take = min(left, line.net)
        line.add("rounding", "Rounding", take)
        left -= take
        given += take
    return given
