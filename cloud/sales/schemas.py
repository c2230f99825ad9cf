"""Sale bodies as recorded from the kiosks' sale events."""

from __future__ import annotations

from pydantic import BaseModel, Field

from contracts.messages import UtcDateTime
from contracts.money import Money, Quantity


class SaleLineOut(BaseModel):
    line_no: int
    gtin: str = Field(examples=["06901234567892"])
    name: str
    qty: Quantity
    unit_price: Money
    amount: Money
    discount: Money


class DiscountOut(BaseModel):
    line_no: int | None
    promotion: str
    amount: Money


class TenderOut(BaseModel):
    method: str = Field(examples=["card"])
    amount: Money
    reference: str


class SaleOut(BaseModel):
    sale_id: str = Field(examples=["kiosk-1-000123"])
    store: str = Field(examples=["demo"])
    node: str = Field(examples=["kiosk-1"])
    completed_at: UtcDateTime
    currency: str = Field(examples=["CNY"])
    member_ref: str | None
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    change: Money
    points_earned: int
    received_at: UtcDateTime


class SaleDetailOut(SaleOut):
    lines: list[SaleLineOut]
    discounts: list[DiscountOut]
    tenders: list[TenderOut]
