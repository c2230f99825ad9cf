"""Supplier bodies: money and quantities are decimal strings; unknown fields are refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

from contracts.money import Money, Quantity

SupplierCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Days = Annotated[StrictInt, Field(ge=0, le=365)]


def decimal_schema(digits: int, places: int) -> WithJsonSchema:
    """A non-negative decimal as the API takes it: text, or a whole number (the schema states
    the bounds too, so a schema-valid request is not refused for them)."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": rf"^\d{{1,{digits}}}(\.\d{{1,{places}}})?$"},
                {"type": "integer", "minimum": 0, "maximum": 10**digits - 1},
            ],
            "examples": ["12.50"],
        }
    )


Amount = Annotated[
    Money, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2), decimal_schema(10, 2)
]
UnitCost = Annotated[
    Money, Field(ge=0, le=Decimal("9999999999.9999"), decimal_places=4), decimal_schema(10, 4)
]
MinQty = Annotated[
    Quantity, Field(ge=0, le=Decimal("99999999999.999"), decimal_places=3), decimal_schema(11, 3)
]

EXAMPLE: dict[str, Any] = {
    "code": "BRIGHT",
    "name": "Bright Dairy 光明乳业",
    "contact": "Li Wei",
    "phone": "+86 21 5555 0101",
    "email": "orders@bright.example",
    "tax_id": "91310000132200000X",
    "payment_terms_days": 30,
    "lead_time_days": 2,
    "min_order_amount": "200.00",
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SupplierPatch(_In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"lead_time_days": 3}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    tax_id: str | None = Field(default=None, max_length=32)
    payment_terms_days: Days | None = None
    lead_time_days: Days | None = None
    min_order_amount: Amount | None = None
    active: StrictBool | None = None


class SupplierIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    code: SupplierCode
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    contact: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    tax_id: str = Field(default="", max_length=32)
    payment_terms_days: Days = 30
    lead_time_days: Days = 3
    min_order_amount: Amount = Decimal(0)


class SupplierItemIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"unit_cost": "6.2500", "pack_size": 12, "supplier_sku": "BD-1L", "min_qty": "24"}
            ]
        },
    )

    unit_cost: UnitCost
    pack_size: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1
    supplier_sku: str = Field(default="", max_length=64)
    min_qty: MinQty = Decimal(0)
    preferred: StrictBool = False


class SupplierItemOut(BaseModel):
    sku: str
    name: str
    supplier_sku: str
    unit_cost: Money
    pack_size: int
    min_qty: Quantity
    preferred: bool


class SupplierOut(BaseModel):
    code: str
    name: str
    contact: str
    phone: str
    email: str
    tax_id: str
    payment_terms_days: int
    lead_time_days: int
    min_order_amount: Money
    active: bool
    items: list[SupplierItemOut] | None = Field(
        default=None, description="What it supplies (one supplier's page only)"
    )


class SupplierCsvIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"csv": "code,name,lead_time_days\nBRIGHT,Bright Dairy,2\n"}]
        },
    )

    csv: str = Field(min_length=1, max_length=2_000_000, description="The supplier CSV")


class CsvErrorOut(BaseModel):
    line: int
    message: str


class SupplierImportOut(BaseModel):
    created: int
    updated: int
    items: int
    errors: list[CsvErrorOut]
