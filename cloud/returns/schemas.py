"""Return bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.messages import UtcDateTime
from contracts.money import Money


class ReturnLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=10_000)
    qty: Decimal = Field(gt=0, le=100_000, decimal_places=3)
    disposition: Literal["restock", "damaged"] = "restock"


class ReturnIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"sale_id": "S-1", "reason": "faulty", "lines": [{"line_no": 2, "qty": "1"}]}
            ]
        },
    )
    sale_id: str = Field(min_length=1, max_length=200, description="Sale number or receipt QR")
    reason: str = Field(min_length=1, max_length=200)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class ReturnableLine(BaseModel):
    line_no: int
    gtin: str
    name: str
    qty: Decimal
    returned: Decimal
    amount: Money


class ReturnableOut(BaseModel):
    sale_id: str
    total: Money
    completed_at: UtcDateTime
    member_id: int | None
    lines: list[ReturnableLine]


class ReturnLineOut(BaseModel):
    line_no: int
    qty: Decimal
    amount: Money
    disposition: str


class RefundOut(BaseModel):
    method: str
    amount: Money


class ReturnOut(BaseModel):
    return_no: str
    sale_id: str
    reason: str
    refund_total: Money
    tax: Money
    points_reversed: int
    points_refunded: int
    full: bool
    occurred_at: UtcDateTime
    lines: list[ReturnLineOut]
    refunds: list[RefundOut]
    receipt: str = Field(description="Return receipt text, for the printer or the screen")


class ReasonRow(BaseModel):
    reason: str
    returns: int
    refunded: Money
