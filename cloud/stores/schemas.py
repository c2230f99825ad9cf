"""Store bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.messages import UtcDateTime

StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
PaymentMethod = Annotated[str, StringConstraints(pattern=r"^(cash|card|mobile|points|coupon)$")]


class StoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["demo"])
    name: str = Field(examples=["Demo Store"])
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    hours: dict[str, Any] = Field(examples=[{"mon-sun": "07:00-23:00"}])
    timezone: str = Field(examples=["Asia/Shanghai"])
    currency: str = Field(examples=["CNY"])
    tax_inclusive: bool
    payment_methods: list[str]
    pricebook_version: int
    active: bool
    negative_stock: str = Field(
        examples=["flag"],
        description="A manual outflow below zero on hand: flag (alert) or refuse (409)",
    )
    created_at: UtcDateTime


class _StoreFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str | None = Field(default=None, max_length=500)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=200)
    hours: dict[str, str] | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    tax_inclusive: bool | None = None
    payment_methods: list[PaymentMethod] | None = Field(default=None, max_length=5)
    active: bool | None = None
    negative_stock: Literal["flag", "refuse"] | None = Field(
        default=None, description="flag: book it and alert; refuse: 409"
    )


class StoreCreate(_StoreFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "sh-01", "name": "Shanghai Xuhui", "timezone": "Asia/Shanghai"}]
        },
    )

    code: StoreCode
    name: str = Field(min_length=1, max_length=200)


class StoreUpdate(_StoreFields):
    name: str | None = Field(default=None, min_length=1, max_length=200)
