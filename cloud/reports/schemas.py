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


class ReportOut(BaseModel):
    """Any report: ``rows`` are objects keyed by ``columns``; money and quantities are
    decimal strings, dates ISO 8601."""

    report: str = Field(examples=["sales-by-day"])
    title: str
    params: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str | int | float | None]]
    notes: list[str] = Field(default_factory=list)
