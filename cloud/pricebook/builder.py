"""Catalog rows → contracts.pricebook.PriceBook, with Core queries (20,000 products in ~1 s).

A store's price book carries the chain's products with that store's own price, member price
and availability (``store_prices``) and no other store's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cloud.inventory import learned
from cloud.marketing.models import Campaign
from cloud.members.models import Coupon
from cloud.members.tiers import TierPolicy
from cloud.products.models import Category, Product, ProductBarcode, StorePrice, TaxClass
from cloud.promotions.models import Promotion
from cloud.promotions.rules import validate_rule
from cloud.stores.models import Store
from contracts import pricebook as pb

COUPON_GRACE = timedelta(days=30)
"""A lapsed campaign stays in the book this long, so kiosks say "expired", not "unknown"."""


def coupon_rules(session: Session, now: datetime) -> list[pb.CouponRule]:
    """One rule per campaign whose codes a kiosk may meet: active campaigns (open window),
    and deactivated ones until their last code expires (window closed at that instant).

    Per-code validity (used, expired, another member's) is the cloud's: the kiosk asks it
    online, and ingest reports what an offline kiosk honoured wrongly (decision 0121).
    """
    spans = {
        cid: (first, last, open_ended)
        for cid, first, last, open_ended in session.execute(
            select(
                Coupon.campaign_id,
                func.min(Coupon.valid_from),
                func.max(Coupon.expires_at),
                func.count(Coupon.id) - func.count(Coupon.expires_at),
            )
            .where(Coupon.campaign_id.is_not(None))
            .group_by(Coupon.campaign_id)
        )
    }
    rules = []
    for c in session.scalars(select(Campaign).order_by(Campaign.code)):
        first, last, open_ended = spans.get(c.id, (None, None, 0))
        ends = None if c.active or open_ended else _utc(last)
        if ends is None and not c.active:
            continue  # no code was ever issued: nothing to honour
        if ends is not None and ends < now - COUPON_GRACE:
            continue
        rules.append(
            pb.CouponRule(
                id=c.code,
                name=c.name,
                prefix=c.coupon_prefix,
                kind="percent_off" if c.coupon_kind == "percent_off" else "amount_off",
                value=c.coupon_value,
                min_spend=c.min_spend,
                window=pb.Window(starts_at=_utc(first), ends_at=ends),
            )
        )
    return rules


def tier_benefits(policy: TierPolicy) -> list[pb.TierBenefit]:
    return [
        pb.TierBenefit(
            name=t.name, discount_rate=t.discount_rate, points_multiplier=t.points_multiplier
        )
        for t in policy.tiers
    ]


_D = TypeVar("_D")


def _own(chain: _D, store: Decimal | None) -> _D | Decimal:
    """The store's own value where it set one, else the chain's."""
    return chain if store is None else store


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def build_pricebook(
    session: Session,
    store: Store,
    version: int,
    now: datetime,
    tiers: TierPolicy | None = None,
) -> pb.PriceBook:
    gtins: dict[int, list[str]] = defaultdict(list)
    for pid, gtin in session.execute(
        select(ProductBarcode.product_id, ProductBarcode.gtin).order_by(ProductBarcode.gtin)
    ):
        gtins[pid].append(gtin)
    rows = session.execute(
        select(Product, Category.code, StorePrice)
        .outerjoin(Category, Category.id == Product.category_id)
        .outerjoin(
            StorePrice,
            (StorePrice.product_id == Product.id) & (StorePrice.store_id == store.id),
        )
        .where(Product.active.is_(True))
        .order_by(Product.sku)
    )
    shelf = learned.learned_weights(session, store.id)
    products = [
        pb.Product(
            sku=p.sku,
            name=p.name,
            name_zh=p.name_zh,
            gtins=gtins.get(p.id, []),
            plu=p.plu,
            category=code or "general",
            price=_own(p.price, None if own is None else own.price),
            member_price=_own(p.member_price, None if own is None else own.member_price),
            tax_class=p.tax_class,
            weighed=p.weighed,
            unit_weight_g=p.unit_weight_g,
            weight_tolerance_g=p.weight_tolerance_g,
            min_age=p.min_age,
            active=own is None or own.available,
            learned_weight_g=None if p.id not in shelf else shelf[p.id].unit_weight_g,
            learned_spread_g=None if p.id not in shelf else shelf[p.id].spread_g,
        )
        for p, code, own in rows
    ]
    promotions = [
        validate_rule(rule)
        for (rule,) in session.execute(
            select(Promotion.rule)
            .where(Promotion.active.is_(True))
            .where(or_(Promotion.store_id.is_(None), Promotion.store_id == store.id))
            .where(or_(Promotion.ends_at.is_(None), Promotion.ends_at > now))
            .order_by(Promotion.code)
        )
    ]
    taxes = [
        pb.TaxClass(code=t.code, rate=t.rate, name=t.name)
        for t in session.scalars(select(TaxClass).order_by(TaxClass.code))
    ]
    return pb.PriceBook(
        store=store.code,
        version=version,
        published_at=now,
        currency=store.currency,
        tax_inclusive=store.tax_inclusive,
        timezone=store.timezone,
        tax_classes=taxes,
        products=products,
        promotions=promotions,
        coupons=coupon_rules(session, now),
        tiers=tier_benefits(tiers or TierPolicy()),
    )
