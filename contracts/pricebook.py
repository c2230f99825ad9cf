"""The price book as the edge receives it: products, tax classes, promotions, coupon rules.

Published retained on ``smartstore/v1/{store}/pricebook`` with a rising ``version``; nodes
store it locally and apply it at a cart boundary. The wire form is gzip-compressed JSON
behind a small header, so a 20,000-product catalog fits well under broker size limits.
"""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    model_serializer,
)

from contracts.exceptions import MessageError
from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity

WIRE_MAGIC = b"SSPB1\n"

Gtin14 = Annotated[str, StringConstraints(pattern=r"^\d{14}$")]

LEARNED_FIELDS = ("learned_weight_g", "learned_spread_g")
"""Optional product fields that are left out of the wire form when empty."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaxClass(_Model):
    code: str = Field(description="Tax class code, e.g. std, reduced, zero")
    rate: Decimal = Field(ge=0, le=1, description="Rate as a fraction, e.g. 0.13")
    name: str = ""


class Product(_Model):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, description="Simplified Chinese name")
    gtins: list[Gtin14] = Field(default_factory=list, description="Every GTIN-14 of the item")
    plu: str | None = Field(default=None, description="Price look-up code for manual entry")
    category: str = "general"
    price: Money = Field(description="Regular unit price (per kg when weighed)")
    member_price: Money | None = None
    tax_class: str = "std"
    weighed: bool = Field(default=False, description="Sold by weight; qty is kilograms")
    unit_weight_g: Quantity | None = Field(default=None, description="Expected grams per unit")
    weight_tolerance_g: Quantity | None = Field(default=None, description="Bagging tolerance")
    no_weight_check: bool = False
    min_age: int | None = Field(default=None, ge=0, le=99, description="Age-restricted item")
    active: bool = True
    learned_weight_g: Quantity | None = Field(
        default=None, gt=0, description="Unit weight the store's shelves learned, g (issue 17)"
    )
    learned_spread_g: Quantity | None = Field(
        default=None, ge=0, description="Standard deviation of that learned unit weight, g"
    )

    @model_serializer(mode="wrap")
    def _omit_unlearned(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        """A product nobody has learned goes out exactly as before the learned fields
        existed, so a book without them still validates on kiosks that predate them."""
        data: dict[str, Any] = handler(self)
        for name in LEARNED_FIELDS:
            if data.get(name, 0) is None:
                del data[name]
        return data


class Window(_Model):
    starts_at: UtcDateTime | None = None
    ends_at: UtcDateTime | None = None
    days_of_week: list[int] | None = Field(default=None, description="0=Monday … 6=Sunday")
    hours: tuple[int, int] | None = Field(default=None, description="[from, to) local hours")

    def active(self, at: datetime, local: datetime | None = None) -> bool:
        if self.starts_at is not None and at < self.starts_at:
            return False
        if self.ends_at is not None and at >= self.ends_at:
            return False
        wall = local or at
        if self.days_of_week is not None and wall.weekday() not in self.days_of_week:
            return False
        if self.hours is not None:
            start, end = self.hours
            if not start <= wall.hour < end:
                return False
        return True


class Targets(_Model):
    """Which lines a promotion looks at; empty lists on both mean every product."""

    skus: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)

    def matches(self, product: Product) -> bool:
        if not self.skus and not self.categories:
            return True
        return product.sku in self.skus or product.category in self.categories


class _PromotionBase(_Model):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    window: Window = Field(default_factory=Window)
    targets: Targets = Field(default_factory=Targets)
    members_only: bool = False
    priority: int = Field(default=100, description="Lower applies first")


class PercentOff(_PromotionBase):
    kind: Literal["percent_off"] = "percent_off"
    percent: Decimal = Field(gt=0, le=100)


class AmountOff(_PromotionBase):
    kind: Literal["amount_off"] = "amount_off"
    amount: Money = Field(gt=0, description="Off each unit")


class BuyXGetY(_PromotionBase):
    kind: Literal["buy_x_get_y"] = "buy_x_get_y"
    buy: int = Field(ge=1)
    get: int = Field(ge=1)
    percent: Decimal = Field(default=Decimal(100), gt=0, le=100, description="Off the free ones")


class SpendXSaveY(_PromotionBase):
    """满减: spend at least ``threshold`` on the targets, save ``save`` (optionally repeating)."""

    kind: Literal["spend_x_save_y"] = "spend_x_save_y"
    threshold: Money = Field(gt=0)
    save: Money = Field(gt=0)
    repeat: bool = False


class BundlePrice(_PromotionBase):
    kind: Literal["bundle_price"] = "bundle_price"
    quantity: int = Field(ge=2)
    price: Money = Field(gt=0, description="Price of the whole bundle")


class GiftItem(_PromotionBase):
    kind: Literal["gift_item"] = "gift_item"
    threshold: Money = Field(gt=0, description="Spend on the targets that earns the gift")
    gift_sku: str


Promotion = Annotated[
    PercentOff | AmountOff | BuyXGetY | SpendXSaveY | BundlePrice | GiftItem,
    Field(discriminator="kind"),
]


class CouponRule(_Model):
    """A coupon campaign the kiosk can honour offline; codes are checked again on ingest."""

    id: str
    name: str
    prefix: str = Field(description="Codes of this campaign start with it")
    kind: Literal["percent_off", "amount_off"]
    value: Decimal = Field(gt=0)
    min_spend: Money = Decimal(0)
    window: Window = Field(default_factory=Window)
    targets: Targets = Field(default_factory=Targets)


class TierBenefit(_Model):
    """What a member tier gives at the kiosk; the cloud decides who is in which tier.

    Published so a kiosk that learnt the member's tier (online balance lookup) prices the
    discount offline-consistently; the points multiplier is applied again by the cloud on
    ingest from its own record of the tier, which is the authority.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$", description="Tier id, e.g. gold")
    discount_rate: Decimal = Field(
        default=Decimal(0), ge=0, le=Decimal("0.5"), description="Basket discount, 0.05 = 5%"
    )
    points_multiplier: Decimal = Field(
        default=Decimal(1), ge=0, le=10, description="Multiplies the points earned per sale"
    )


class PointsPolicy(_Model):
    earn_per_unit: Decimal = Field(default=Decimal(1), ge=0, description="Points per 1.00 paid")
    redeem_value: Money = Field(default=Decimal("0.01"), description="Value of one point")
    offline_redeem_limit: int = Field(default=500, ge=0, description="Points usable offline")


class PriceBook(_Model):
    store: str
    version: int = Field(ge=1, description="Rises with every change")
    published_at: UtcDateTime
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    tax_inclusive: bool = True
    rounding: Money = Field(default=Decimal("0.01"), description="Cash/total rounding step")
    timezone: str = "Asia/Shanghai"
    tax_classes: list[TaxClass] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    promotions: list[Promotion] = Field(default_factory=list)
    coupons: list[CouponRule] = Field(default_factory=list)
    points: PointsPolicy = Field(default_factory=PointsPolicy)
    tiers: list[TierBenefit] = Field(
        default_factory=list, description="Member tier benefits (empty: no tier discounts)"
    )

    def tier(self, name: str | None) -> TierBenefit | None:
        """The benefits of tier ``name``; None when unknown or not given."""
        if not name:
            return None
        return next((t for t in self.tiers if t.name == name), None)


def encode_pricebook(book: PriceBook) -> bytes:
    body = book.model_dump_json().encode()
    return WIRE_MAGIC + gzip.compress(body, compresslevel=6, mtime=0)


MAX_BOOK_BYTES = 64 * 1024 * 1024
"""Inflated size refused beyond this: a gzip bomb under the broker's 4 MB limit would
otherwise inflate to gigabytes on a Pi (found by tests/fuzz)."""


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    body = inflater.decompress(data, MAX_BOOK_BYTES + 1)
    if len(body) > MAX_BOOK_BYTES:
        raise MessageError(f"price book too large (over {MAX_BOOK_BYTES} bytes inflated)")
    if not inflater.eof:
        raise EOFError("compressed price book is truncated")
    return body


def decode_pricebook(raw: bytes) -> PriceBook:
    """Accept the compressed wire form or plain JSON; :class:`MessageError` on anything else."""
    try:
        body: bytes | str = _inflate(raw[len(WIRE_MAGIC) :]) if raw.startswith(WIRE_MAGIC) else raw
        obj: Any = json.loads(body)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise MessageError(f"price book is not readable: {exc}") from exc
    try:
        return PriceBook.model_validate(obj)
    except ValidationError as exc:
        raise MessageError(f"invalid price book: {exc.errors()[:3]}") from exc
