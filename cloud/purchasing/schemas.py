"""Purchase order bodies: quantities and money are decimal strings; unknown fields refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from cloud.suppliers.schemas import Amount, UnitCost, decimal_schema
from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity

StoreCode = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Qty = Annotated[
    Quantity, Field(gt=0, le=Decimal("99999999.999"), decimal_places=3), decimal_schema(8, 3)
]
Count = Annotated[
    Quantity, Field(ge=0, le=Decimal("99999999.999"), decimal_places=3), decimal_schema(8, 3)
]
Reason = Annotated[str, StringConstraints(max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineIn(_In):
    sku: str = Field(min_length=1, max_length=64)
    qty: Qty
    unit_cost: UnitCost | None = Field(default=None, description="Default: the supplier's")


class OrderIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"store": "sh-01", "supplier": "BRIGHT", "lines": [{"sku": "MILK-1", "qty": "24"}]}
            ]
        },
    )

    store: StoreCode
    supplier: str = Field(min_length=1, max_length=32)
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=500)


class FromReorderIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"store": "sh-01"}]})

    store: StoreCode
    lead_days: Annotated[StrictInt, Field(ge=1, le=92)] = 3
    service_level: Annotated[Decimal, Field(ge=Decimal("0.5"), lt=1)] = Decimal("0.95")


class CountIn(_In):
    line_no: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    code: str | None = Field(
        default=None, min_length=1, max_length=64, description="Barcode, SKU or item code"
    )
    qty: Count = Field(description="Good units, into stock")
    damaged: Count = Decimal(0)
    reason: Reason = Field(default="", description="Required for over-delivery or damage")

    @model_validator(mode="after")
    def one_key(self) -> CountIn:
        if (self.line_no is None) == (self.code is None):
            raise ValueError("give line_no or code, not both")
        return self


class ReceiptIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lines": [{"line_no": 1, "qty": "12"}]}]},
    )

    lines: list[CountIn] = Field(min_length=1, max_length=500)


class ReturnIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"line_no": 1, "qty": "2", "reason": "leaking"}]},
    )

    line_no: Annotated[StrictInt, Field(ge=1, le=10_000)]
    qty: Qty
    reason: str = Field(min_length=1, max_length=200, pattern=r"\S")


class PaymentIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": "10.00"}]})

    amount: Amount = Field(description="More than zero, at most what is owed")


class LimitIn(_In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"manager_max_amount": "5000.00"}]}
    )

    manager_max_amount: Amount


class LimitOut(BaseModel):
    manager_max_amount: Money
    updated_at: UtcDateTime | None
    updated_by: str


class LineOut(BaseModel):
    line_no: int
    sku: str
    name: str
    barcodes: list[str]
    supplier_sku: str
    pack_size: int
    qty_ordered: Quantity
    unit_cost: Money
    qty_received: Quantity
    qty_damaged: Quantity
    qty_returned: Quantity
    qty_open: Quantity


class OrderOut(BaseModel):
    number: str
    store: str
    supplier: str
    status: str = Field(examples=["sent"])
    source: str
    note: str
    total: Money
    created_at: UtcDateTime
    created_by: str
    approved_at: UtcDateTime | None
    approved_by: str
    sent_at: UtcDateTime | None
    expected_on: date | None
    received_at: UtcDateTime | None
    closed_at: UtcDateTime | None
    paid_amount: Money
    lines: list[LineOut] | None = Field(default=None, description="One order only")


class SentOut(OrderOut):
    mailed: bool = Field(description="False when the supplier has no email address")


class FromReorderOut(BaseModel):
    orders: list[OrderOut]
    unsourced: list[str] = Field(description="SKUs to order that no supplier sells")


class PayableOut(BaseModel):
    supplier: str
    name: str
    received: Money = Field(description="Value received, net of returns")
    paid: Money
    balance: Money
    due: Money = Field(description="Balance already due by the payment terms")
    next_due_on: date | None
