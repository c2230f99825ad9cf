"""Marketing bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.money import Money


class ProfileOut(BaseModel):
    member_id: int
    segment: str
    r: int
    f: int
    m: int
    visits: int
    spend: Money
    average_basket: Money
    favourite_categories: list[str]
    recommendations: list[dict[str, str]]


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: dict[str, Any] = Field(
        description="rfm: [names], tiers: [names], min_spend, inactive_days, birthday_month"
    )


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["manual", "birthday", "tier_upgrade", "win_back"] = "manual"
    segment: dict[str, Any] = Field(default_factory=dict)
    coupon_prefix: str = Field(pattern=r"^[A-Z]{1,8}$")
    coupon_kind: Literal["percent_off", "amount_off"] = "amount_off"
    coupon_value: Decimal = Field(gt=0, le=100000, decimal_places=2)
    valid_days: int = Field(default=30, ge=1, le=3660)
    per_member_limit: int = Field(default=1, ge=1, le=100)
    max_coupons: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Codes in all; default: the largest allowed"
    )
    win_back_days: int = Field(default=60, ge=1, le=3650)
    channel: Literal["sms", "email", "in_app"] = "in_app"
    message: str = Field(default="", max_length=500)


class SendOut(BaseModel):
    sent: int
    opted_out: int
    throttled: int
    failed: int
    coupons: int
