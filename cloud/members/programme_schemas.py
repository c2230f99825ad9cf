"""Bodies of the member programme endpoints: balance lookup, tiers, coupons, channels."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime
from contracts.money import Money


class BalanceOut(BaseModel):
    """What a kiosk needs to let a member redeem online (offline it uses the book's limit)."""

    member_id: int
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
    opted_in: bool


class TierRefreshOut(BaseModel):
    changed: int
