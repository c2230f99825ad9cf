"""Bodies of the member programme endpoints: balance lookup, tiers, coupons, channels."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from contracts.messages import UtcDateTime
from contracts.money import Money


class BalanceOut(BaseModel):
    """What a kiosk needs to let a member redeem online (offline it uses the book's limit)."""

    member_id: int
    name: str = Field(
        description="Masked: the first character of each part", examples=["W*** F***"]
    )
    tier: str
    points_balance: int
    redeem_value: Money
    offline_redeem_limit: int


class TierChangeOut(BaseModel):
    old_tier: str
    new_tier: str
    spend_12m: Money
    visits_12m: int
    changed_at: UtcDateTime


class CouponIssue(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"member_id": 1, "prefix": "CP", "value": "5.00"}]},
    )

    member_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    prefix: str = Field(default="CP", pattern=r"^[A-Z]{1,8}$")
    kind: Literal["percent_off", "amount_off"] = "amount_off"
    value: Decimal = Field(gt=0, le=100000, decimal_places=2)
    min_spend: Decimal = Field(default=Decimal(0), ge=0, le=1000000, decimal_places=2)
    valid_days: int = Field(default=30, ge=1, le=3660)


class CouponOut(BaseModel):
    code: str
    kind: str
    value: Money
    min_spend: Money
    member_id: int | None
    valid_from: UtcDateTime | None
    expires_at: UtcDateTime | None
    redeemed_sale_id: str | None
    qr_svg: str = Field(default="", description="The code as an SVG QR for print or screens")


class CouponConflictOut(BaseModel):
    code: str
    sale_id: str
    node: str
    reason: str
    winner_sale_id: str | None
    amount: Money
    occurred_at: UtcDateTime


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opted_in: StrictBool


class TierRefreshOut(BaseModel):
    changed: int


class CouponLimitsIO(BaseModel):
    """Head office's limits on the coupons and campaigns managers create."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "max_percent_off": "20",
                    "max_amount_off": "50.00",
                    "max_valid_days": 31,
                    "max_campaign_coupons": 1000,
                    "max_issued_per_day": 20,
                }
            ]
        },
    )

    max_percent_off: Decimal = Field(gt=0, le=100, decimal_places=2, description="Percent")
    max_amount_off: Money = Field(gt=0, le=Decimal("100000"), decimal_places=2)
    max_valid_days: StrictInt = Field(ge=1, le=3660, description="Longest validity of a code")
    max_campaign_coupons: StrictInt = Field(ge=1, le=10_000_000, description="Codes per campaign")
    max_issued_per_day: StrictInt = Field(
        ge=0, le=100_000, description="Codes one person issues by hand in 24 hours"
    )


class CouponLimitsOut(CouponLimitsIO):
    model_config = ConfigDict(extra="forbid")

    updated_at: UtcDateTime | None = Field(description="Null: the defaults, never set")
    updated_by: str
