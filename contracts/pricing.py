"""Pure basket pricing, shared by the kiosk (offline) and the cloud (preview and audit).

No I/O and no clock: the caller passes ``at``. Same book + same basket = same result,
whatever the scan order or the way quantities are split over lines.

Rules, in the order they apply:

1. **Unit price.** The product's ``price``; with a member attached, ``member_price`` when
   it is lower. ``BasketLine.price_override`` replaces both (see :class:`BasketLine`).
   Non-weighed quantities are whole units; weighed ones are kilograms and the line amount is
   ``qty × unit price`` rounded half up to cents.
2. **Item level: one promotion per unit, best for the shopper.** Unit-consuming promotions
   (buy X get Y, bundle price) run in ``priority`` order (lower first, then id). Each one
   sorts its eligible, still unclaimed units dearest first and cuts them into chunks
   (``buy+get``, or ``quantity``); in a buy-X-get-Y chunk the ``get`` cheapest units are
   discounted by ``percent``; a bundle's saving (units' prices − bundle price) is apportioned
   over its units by price. A chunk is kept only when it saves more than the best per-unit
   offers of its units would. Every unit left gets the single best percent/amount-off
   (``amount`` is per unit, per kg when weighed). Weighed and overridden lines take no
   unit-consuming promotion; overridden lines take no item-level promotion at all. Percent
   discounts round half up per unit.
3. **Spend X save Y (满减)** in priority order, each on what the shopper still pays for its
   targets after the steps before; ``repeat`` saves once per whole threshold. The saving is
   apportioned over the target lines by net (largest remainder), so line discounts sum
   exactly to it.
3b. **Member tier.** With a member whose ``tier`` is in ``PriceBook.tiers``, the tier's
   ``discount_rate`` of what the shopper still pays (gifts aside) is taken off, half up on
   the basket, apportioned like a spend promotion and named ``tier:<name>``.
4. **Coupons.** A code matches the CouponRule with the longest ``prefix``. Rejected, with a
   reason, when: duplicate code, unknown prefix, another code of the same rule already used,
   rule window closed, no eligible items, below ``min_spend`` (the targets' net before any
   coupon, so one coupon never disqualifies another). Percent coupons apply before amount
   coupons so the shopper gets the larger saving.
5. **Gift items.** When the targets' net reaches ``threshold``, a gift line is added once
   per promotion at its regular price with an equal discount naming the promotion (net 0).
6. **Tax** per line from its TaxClass (``PriceBook.tax_inclusive`` says whether prices
   include it; a class missing from the book taxes at 0 rather than stopping sales). The
   tax of each rate is rounded once on that rate's net total and apportioned over its
   lines, so it does not change when lines are split or reordered.
7. **Total rounding** to ``PriceBook.rounding`` (e.g. 0.10) always rounds *down* (抹零, in
   the shopper's favour): the difference is a discount line ``rounding`` on the dearest
   lines and ``rounding_adjustment`` is its negative, so ``total = subtotal −
   discount_total (+ tax_total when exclusive)`` still holds exactly. Tax is computed
   before it (a settlement adjustment, not a price change).
8. **Points** are a tender, not a discount: ``points_value`` is what ``points`` are worth,
   capped (in whole points) so it never exceeds ``total``. Offline redemption limits are the
   checkout's policy, not pricing's.

Time windows: ``starts_at``/``ends_at`` compare the UTC instant; ``days_of_week``/``hours``
use the wall clock in ``local_tz`` (default: the book's timezone). Members-only promotions
apply only with ``member=True``. Every discount line names its promotion, coupon rule or
``rounding``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contracts.pricebook import PriceBook, Product
from contracts.pricing_index import ActiveSet, PricingIndex, index_for
from contracts.pricing_model import (
    AppliedDiscount,
    BasketLine,
    PricedBasket,
    PricedLine,
    PricingError,
)
from contracts.pricing_rules import (
    WorkLine,
    apply_amount,
    apply_item_level,
    apply_rounding,
    apply_spend_promotions,
    basket_targets,
    coupon_discount,
    from_cents,
    percent_of,
    tax_split,
    to_cents,
)

__all__ = [
    "AppliedDiscount",
    "BasketLine",
    "PricedBasket",
    "PricedLine",
    "PricingError",
    "PricingIndex",
    "points_earned",
    "price_basket",
]

MAX_UNITS = 9_999
MAX_KG = Decimal(1000)


def price_basket(
    book: PriceBook,
    lines: Sequence[BasketLine],
    *,
    at: datetime,
    member: bool = False,
    coupons: Sequence[str] = (),
    points: int = 0,
    local_tz: str | None = None,
    tier: str | None = None,
) -> PricedBasket:
    """Price ``lines`` with ``book`` at instant ``at``; :class:`PricingError` on bad input.

    ``tier`` is the member's tier when the kiosk learnt it (ignored without ``member``).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise PricingError("'at' must be timezone-aware")
    if points < 0:
        raise PricingError("points cannot be negative")
    try:
        local = at.astimezone(ZoneInfo(local_tz or book.timezone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PricingError(f"unknown timezone {local_tz or book.timezone!r}") from exc
    index = index_for(book)
    active = ActiveSet(book, at, local, member)
    work = _work_lines(index, lines, member)
    ordered = sorted(work, key=lambda ln: ln.line_id)
    used = apply_item_level(index, ordered, active)
    used |= apply_spend_promotions(index, ordered, active)
    if member:
        used |= _apply_tier(book, tier, ordered)
    applied, rejected = _apply_coupons(index, ordered, active, coupons)
    gifts = _gift_lines(index, ordered, active)
    used |= {g.discounts[0][0] for g in gifts}
    everything = ordered + gifts
    rates = [_tax_rate(index, ln.product) for ln in everything]
    taxes, by_rate = tax_split(everything, rates, book.tax_inclusive)
    pre_total = sum(ln.net for ln in everything) + (0 if book.tax_inclusive else sum(taxes))
    step = to_cents(book.rounding)
    rounding = apply_rounding(ordered, pre_total % step) if step > 1 else 0
    total = pre_total - rounding
    points_used, points_value = _points(book, points, total)
    priced = {
        id(ln): _priced(ln, rate, tax)
        for ln, rate, tax in zip(everything, rates, taxes, strict=True)
    }
    subtotal = sum(ln.amount for ln in everything)
    return PricedBasket(
        lines=tuple(priced[id(ln)] for ln in work),
        gifts=tuple(priced[id(ln)] for ln in gifts),
        subtotal=from_cents(subtotal),
        discount_total=from_cents(subtotal - sum(ln.net for ln in everything)),
        tax_total=from_cents(sum(taxes)),
        total=from_cents(total),
        rounding_adjustment=from_cents(-rounding),
        coupons_applied=tuple(applied),
        coupons_rejected=tuple(rejected),
        points_redeemed=points_used,
        points_value=points_value,
        promotions_applied=tuple(sorted(used)),
        currency=book.currency,
        tax_inclusive=book.tax_inclusive,
        tax_by_rate=tuple((rate, from_cents(tax)) for rate, tax in by_rate),
    )


def points_earned(book: PriceBook, paid: Decimal, tier: str | None = None) -> int:
    """Whole points earned on ``paid`` money (points tenders excluded); never negative.

    ``tier`` multiplies by its ``points_multiplier``, as the cloud does on ingest.
    """
    if paid <= 0:
        return 0
    benefit = book.tier(tier)
    rate = book.points.earn_per_unit * (benefit.points_multiplier if benefit else 1)
    return int((paid * rate).to_integral_value(rounding=ROUND_DOWN))


def _apply_tier(book: PriceBook, tier: str | None, lines: list[WorkLine]) -> set[str]:
    benefit = book.tier(tier)
    if benefit is None or benefit.discount_rate <= 0:
        return set()
    targets = [ln for ln in lines if not ln.gift and ln.net > 0]
    cents = percent_of(sum(ln.net for ln in targets), benefit.discount_rate * 100)
    if cents <= 0:
        return set()
    promo_id = f"tier:{benefit.name}"
    apply_amount(promo_id, f"Member {benefit.name}", cents, targets)
    return {promo_id}


def _work_lines(index: PricingIndex, lines: Sequence[BasketLine], member: bool) -> list[WorkLine]:
    seen: set[str] = set()
    out = []
    for line in lines:
        if line.line_id in seen:
            raise PricingError(f"duplicate line id {line.line_id!r}")
        seen.add(line.line_id)
        out.append(_work_line(index, line, member))
    return out


def _work_line(index: PricingIndex, line: BasketLine, member: bool) -> WorkLine:
    product = index.products.get(line.sku)
    if product is None:
        raise PricingError(f"unknown sku {line.sku!r}")
    if not product.active:
        raise PricingError(f"sku {line.sku!r} is not for sale")
    qty = line.qty
    if not isinstance(qty, Decimal) or not qty.is_finite() or qty <= 0:
        raise PricingError(f"line {line.line_id}: quantity must be a positive decimal")
    if product.weighed:
        if qty > MAX_KG:
            raise PricingError(f"line {line.line_id}: {qty} kg is not plausible")
    elif qty != qty.to_integral_value() or qty > MAX_UNITS:
        raise PricingError(f"line {line.line_id}: {product.sku} is sold in whole units")
    price = product.price
    if member and product.member_price is not None and product.member_price < price:
        price = product.member_price
    override = line.price_override
    if override is not None:
        if not isinstance(override, Decimal) or not override.is_finite() or override < 0:
            raise PricingError(f"line {line.line_id}: price override must be >= 0")
        price = override
    gtin = line.gtin or _product_gtin(product)
    if gtin is None or len(gtin) != 14 or not gtin.isdigit():
        raise PricingError(f"line {line.line_id}: no 14-digit GTIN for {product.sku}")
    if product.weighed:
        units, unit_cents, amount = 0, 0, to_cents(qty * price)
    else:
        units, unit_cents = int(qty), to_cents(price)
        price, amount = from_cents(unit_cents), int(qty) * unit_cents
    return WorkLine(
        line_id=line.line_id,
        product=product,
        promos=index.for_product(product),
        qty=qty,
        unit_price=price,
        amount=amount,
        gtin=gtin,
        units=units,
        unit_cents=unit_cents,
        overridden=override is not None,
    )


def _product_gtin(product: Product) -> str | None:
    if product.gtins:
        return product.gtins[0]
    if product.plu and product.plu.isdigit() and len(product.plu) <= 14:
        return product.plu.zfill(14)
    return None


def _apply_coupons(
    index: PricingIndex, lines: list[WorkLine], active: ActiveSet, codes: Sequence[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    rejected: list[tuple[str, str]] = []
    candidates = []
    seen: set[str] = set()
    for raw in codes:
        code = raw.strip()
        if not code or code in seen:
            rejected.append((raw, "duplicate" if code else "empty"))
            continue
        seen.add(code)
        rule = index.coupon_rule(code)
        if rule is None:
            rejected.append((code, "unknown"))
            continue
        candidates.append((0 if rule.kind == "percent_off" else 1, rule.id, code, rule))
    applied: list[str] = []
    rules_used: set[str] = set()
    before = {ln.line_id: ln.net for ln in lines}
    for _, rule_id, code, rule in sorted(candidates, key=lambda c: c[:3]):
        if rule_id in rules_used:
            rejected.append((code, "one_per_campaign"))
            continue
        cents, targets, reason = coupon_discount(rule, lines, active, before)
        if reason is not None:
            rejected.append((code, reason))
            continue
        apply_amount(rule.id, rule.name, cents, targets)
        rules_used.add(rule_id)
        applied.append(code)
    return applied, rejected


def _gift_lines(index: PricingIndex, lines: list[WorkLine], active: ActiveSet) -> list[WorkLine]:
    gifts = []
    by_promo = basket_targets(lines, active)
    for promo in index.gift_promotions:
        if promo.id not in active.ids:
            continue
        base = sum(ln.net for ln in by_promo.get(promo.id, ()))
        product = index.products.get(promo.gift_sku)
        if base < to_cents(promo.threshold) or product is None or not product.active:
            continue
        gtin = _product_gtin(product)
        if gtin is None:
            continue
        cents = to_cents(product.price)
        gift = WorkLine(
            line_id=f"gift:{promo.id}",
            product=product,
            promos=index.for_product(product),
            qty=Decimal(1),
            unit_price=from_cents(cents),
            amount=cents,
            gtin=gtin,
            units=1,
            unit_cents=cents,
            gift=True,
        )
        gift.add(promo.id, promo.name, cents)
        if cents > 0:
            gifts.append(gift)
    return gifts


def _tax_rate(index: PricingIndex, product: Product) -> Decimal:
    """A class missing from the book taxes at 0: a book error must not stop sales."""
    return index.tax_rates.get(product.tax_class, Decimal(0))


def _points(book: PriceBook, points: int, total: int) -> tuple[int, Decimal]:
    value = book.points.redeem_value
    if points == 0 or value <= 0:
        return 0, Decimal("0.00")
    usable = min(points, int((from_cents(total) / value).to_integral_value(rounding=ROUND_DOWN)))
    amount = (usable * value).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return usable, amount


def _priced(line: WorkLine, rate: Decimal, tax: int) -> PricedLine:
    merged: dict[str, tuple[str, int]] = {}
    for promo_id, name, cents in line.discounts:
        prev = merged.get(promo_id, (name, 0))
        merged[promo_id] = (name, prev[1] + cents)
    return PricedLine(
        line_id=line.line_id,
        sku=line.product.sku,
        gtin=line.gtin,
        name=line.product.name,
        qty=line.qty,
        unit_price=line.unit_price,
        amount=from_cents(line.amount),
        discounts=tuple(
            AppliedDiscount(promotion=pid, name=name, amount=from_cents(cents))
            for pid, (name, cents) in merged.items()
        ),
        net=from_cents(line.net),
        tax_rate=rate,
        tax=from_cents(tax),
        name_zh=line.product.name_zh,
        weighed=line.product.weighed,
        gift=line.gift,
    )
