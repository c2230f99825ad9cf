"""Order bodies (SPEC §4): quantities and money are decimal strings, times RFC 3339 UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity

Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Qty = Annotated[Quantity, Field(gt=0, le=Decimal(9999), decimal_places=3)]
Status = Literal[
    "placed", "picking", "ready", "out_for_delivery", "collected", "delivered", "cancelled"
]
PickupCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(_In):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", pattern=r"^(\+?\d{5,20})?$")
    address: str = Field(default="", max_length=300, description="Required for delivery")
    note: str = Field(default="", max_length=300)


class LineIn(_In):
    sku: Sku
    qty: Qty = Field(description="Units, or kilograms for weighed products")


class PaymentIn(_In):
    reference: str = Field(
        min_length=1, max_length=64, description="The online payment's reference"
    )


class OrderIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "store": "demo",
                    "channel": "miniprogram",
                    "fulfilment": "pickup",
                    "customer": {"name": "Li Na", "phone": "13800000001"},
                    "lines": [{"sku": "MILK-1", "qty": "2"}],
                }
            ]
        },
    )

    store: StoreCode
    channel: Literal["web", "miniprogram", "phone"]
    fulfilment: Literal["pickup", "delivery"]
    customer: CustomerIn
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    payment: PaymentIn | None = Field(default=None, description="Paid online (reference)")

    @model_validator(mode="after")
    def _address(self) -> OrderIn:
        if self.fulfilment == "delivery" and not self.customer.address.strip():
            raise ValueError("a delivery order needs customer.address")
        return self


class ScanIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "MILK-1"}]})

    code: str = Field(min_length=1, max_length=64, description="Barcode or SKU, scanned or typed")


class CollectIn(_In):
    store: StoreCode


class OrderLineOut(BaseModel):
    line_no: int
    sku: str
    gtin: str
    name: str
    qty: Quantity
    picked: Quantity
    unit_price: Money
    amount: Money
    discount: Money
    location: str | None = Field(default=None, description="Shelf node/lane, if on a lane")


class OrderOut(BaseModel):
    order_id: str = Field(examples=["OR-3F2A9C01D4"])
    store: str
    channel: str
    fulfilment: str
    status: Status
    pickup_code: str
    customer: dict[str, Any]
    currency: str
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    payment_ref: str
    refunded: Money | None
    picker: str | None
    sale_id: str | None
    late: bool
    placed_at: UtcDateTime
    due_at: UtcDateTime
    picking_at: UtcDateTime | None
    ready_at: UtcDateTime | None
    dispatched_at: UtcDateTime | None
    closed_at: UtcDateTime | None


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut] = Field(description="In pick order: by shelf location")


class PickupOut(BaseModel):
    order: OrderDetailOut
    sale: dict[str, Any] = Field(description="The recorded sale (the sale event's form)")
