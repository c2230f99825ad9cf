"""Report bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from contracts.money import Money


class DailySalesOut(BaseModel):
    store: str = Field(examples=["demo"])
    date: dt.date = Field(description="Business day in the store's timezone")
    currency: str = Field(examples=["CNY"])
    sales_count: int = Field(examples=[42])
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
