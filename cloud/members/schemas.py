"""Member bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from contracts.messages import UtcDateTime
from contracts.money import Money

Phone = Annotated[str, StringConstraints(pattern=r"^\+?\d{6,15}$")]
Card = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{4,40}$")]


class MemberOut(BaseModel):
    id: int
    phone: str | None = Field(examples=["13800138000"])
    card: str | None = Field(examples=["M-000123"])
    name: str
    tier: str = Field(examples=["silver"])
    birthday: date | None
    points_balance: int
    lifetime_spend: Money
    home_store: str | None
    joined_at: UtcDateTime


class MemberCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"phone": "13800138000", "name": "Wang Fang"}]},
    )

    phone: Phone | None = None
    card: Card | None = None
    name: str = Field(default="", max_length=200)
    birthday: date | None = None
    home_store: str | None = Field(default=None, max_length=32)


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Phone | None = None
    card: Card | None = None
    name: str | None = Field(default=None, max_length=200)
    birthday: date | None = None


class PointsAdjust(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"points": 100, "kind": "adjust", "reason": "goodwill"}]},
    )

    points: StrictInt = Field(
        ge=-1_000_000, le=1_000_000, description="Signed change of the balance"
    )
    kind: Literal["adjust", "redeem", "expire"] = "adjust"
    reason: str = Field(min_length=1, max_length=200)


class PointsEntryOut(BaseModel):
    id: int
    kind: str
    points: int
    sale_id: str | None
    reason: str
    expires_at: UtcDateTime | None
    created_at: UtcDateTime
