"""Promotion bodies: the rule itself is a contracts.pricebook promotion, validated as such."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from contracts.messages import UtcDateTime
from contracts.pricebook import Promotion as PromotionRule

StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]

_EXAMPLE: dict[str, Any] = {
    "store": None,
    "active": True,
    "rule": {
        "kind": "percent_off",
        "id": "dairy-10",
        "name": "Dairy 10% off",
        "percent": "10",
        "targets": {"categories": ["dairy"]},
        "window": {"starts_at": "2025-06-01T00:00:00Z", "ends_at": "2025-07-01T00:00:00Z"},
    },
}


class PromotionOut(BaseModel):
    code: str = Field(examples=["dairy-10"])
    name: str
    kind: str = Field(examples=["percent_off"])
    store: str | None = Field(description="Store code, or null for every store")
    active: bool
    starts_at: UtcDateTime | None
    ends_at: UtcDateTime | None
    rule: dict[str, Any] = Field(description="The contracts.pricebook promotion as published")
    updated_at: UtcDateTime


class PromotionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    rule: PromotionRule = Field(description="Its ``id`` becomes the promotion code")
    store: StoreCode | None = Field(default=None, description="Null: chain-wide (admin only)")
    active: bool = True


class PromotionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: PromotionRule | None = Field(default=None, description="Replaces the rule; same id")
    active: StrictBool | None = None
