"""Inventory bodies; quantities are decimal strings (kilograms for weighed items)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity

Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Qty = Annotated[Quantity, Field(gt=0, le=Decimal("99999999999"), decimal_places=3)]
SignedQty = Annotated[
    Quantity, Field(ge=Decimal("-99999999999"), le=Decimal("99999999999"), decimal_places=3)
]
Count = Annotated[Quantity, Field(ge=0, le=Decimal("99999999999"), decimal_places=3)]
Cost = Annotated[Money, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)]


class MovementOut(BaseModel):
    id: int
    store: str
    sku: str | None
    gtin: str | None
    kind: str = Field(examples=["receiving"])
    qty: Quantity = Field(description="Signed: negative takes stock out")
    unit_cost: Money | None
    reference: str
    reason: str
    occurred_at: UtcDateTime


class OnHandOut(BaseModel):
    sku: str
    name: str
    on_hand: Quantity
    reserved: Quantity = Field(
        default=Decimal("0.000"), description="Held by open online orders (cloud.orders)"
    )
    available: Quantity = Field(description="On hand less reserved")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReceivingIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sku": "GRO-0001", "qty": "24", "unit_cost": "28.50", "reference": "PO-77"}
            ]
        },
    )

    sku: Sku
    qty: Qty
    unit_cost: Cost | None = None
    reference: str = Field(default="", max_length=200)


class AdjustmentIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"sku": "GRO-0001", "qty": "-2", "reason": "damaged"}]},
    )

    sku: Sku
    qty: SignedQty = Field(description="Signed change")
    reason: str = Field(min_length=1, max_length=200)


class CountIn(_In):
    sku: Sku
    counted: Count
    reason: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="Why the count differs (theft, damaged, miscount …); required",
    )


class StocktakeIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"counts": [{"sku": "GRO-0001", "counted": "17", "reason": "damaged"}]}]
        },
    )

    counts: list[CountIn] = Field(min_length=1, max_length=5000)


class TransferIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"to_store": "sh-02", "sku": "GRO-0001", "qty": "6", "reference": "T-12"}]
        },
    )

    to_store: StoreCode
    sku: Sku
    qty: Qty
    reference: str = Field(default="", max_length=200)
