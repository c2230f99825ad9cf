"""Product and category bodies; money is a decimal string, never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, WithJsonSchema

from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity

# A path segment: it starts with a letter or digit, since "." and ".." are dot segments that
# HTTP clients remove (GET /products/.. would reach /api/v1/, not the product).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Barcode = Annotated[str, StringConstraints(pattern=r"^\d{6,14}$")]
CatCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN)]
# The schema states the bounds too (a bare decimal string would let clients send "-1").
_PRICE_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$"},
            {"type": "integer", "minimum": 0, "maximum": 9_999_999_999},
        ],
        "examples": ["12.50"],
    }
)
Price = Annotated[Money, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2), _PRICE_SCHEMA]
Grams = Annotated[Quantity, Field(gt=0, le=Decimal("9999999.999"), decimal_places=3)]


class ProductOut(BaseModel):
    sku: str = Field(examples=["GRO-0001"])
    name: str = Field(examples=["Jasmine rice 5 kg"])
    name_zh: str | None
    category: str | None = Field(examples=["rice-grains"])
    gtins: list[str] = Field(examples=[["06901234567892"]])
    price: Money
    member_price: Money | None
    cost: Money | None
    tax_class: str
    weighed: bool
    unit_weight_g: Quantity | None
    weight_tolerance_g: Quantity | None
    min_age: int | None
    plu: str | None
    image_path: str | None
    active: bool
    updated_at: UtcDateTime


class _ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = Field(default=None, max_length=200)
    member_price: Price | None = None
    cost: Price | None = None
    tax_class: str | None = Field(default=None, min_length=1, max_length=16)
    weighed: bool | None = None
    unit_weight_g: Grams | None = None
    weight_tolerance_g: Grams | None = None
    min_age: int | None = Field(default=None, ge=0, le=99)
    plu: str | None = Field(default=None, pattern=r"^\d{4,8}$")
    image_path: str | None = Field(default=None, max_length=300)
    active: bool | None = None


class ProductCreate(_ProductFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "sku": "GRO-0001",
                    "name": "Jasmine rice 5 kg",
                    "price": "39.90",
                    "member_price": "36.90",
                    "gtins": ["6901234567892"],
                    "category": "rice-grains",
                    "unit_weight_g": "5000",
                }
            ]
        },
    )

    sku: Sku
    name: str = Field(min_length=1, max_length=200)
    price: Price
    gtins: list[Barcode] = Field(default_factory=list, max_length=20)
    category: CatCode | None = None


class ProductUpdate(_ProductFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"price": "42.00"}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    price: Price | None = None
    category: CatCode | None = None


class BarcodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gtin: Barcode = Field(examples=["6901234567892"])


class CategoryOut(BaseModel):
    code: str = Field(examples=["dairy"])
    name: str = Field(examples=["Dairy"])
    parent: str | None


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: CatCode
    name: str = Field(min_length=1, max_length=200)
    parent: CatCode | None = None


class StorePriceIn(BaseModel):
    """A store's own terms for a chain product (replaces the previous ones)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"price": "11.90", "member_price": None}]},
    )

    price: Price | None = Field(default=None, description="Null: the chain's price")
    member_price: Price | None = Field(default=None, description="Null: the chain's")
    available: StrictBool = Field(
        default=True, description="False: the store's kiosks do not sell it"
    )


class StorePriceOut(BaseModel):
    store: str = Field(examples=["demo"])
    sku: str = Field(examples=["GRO-0001"])
    price: Money | None = Field(description="The store's price, null for the chain's")
    member_price: Money | None
    available: bool
    chain_price: Money
    chain_member_price: Money | None
    effective_price: Money = Field(description="What the store's kiosks charge")
    effective_member_price: Money | None
    updated_at: UtcDateTime
    updated_by: str
