"""Finance API bodies; money is a decimal string."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.money import Money

Category = Literal["purchasing", "rent", "wages", "utilities", "other"]


class ExpenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store: str = Field(max_length=32, description="Store code")
    category: Category = Field(description="Expense category")
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="Amount")
    on: dt.date = Field(description="Day the expense is booked")
    note: str = Field(default="", max_length=500, description="Free text")


class ExpenseOut(BaseModel):
    id: int = Field(description="The expense's id; for a recurring one's occurrences, its id")
    store: str
    category: str
    amount: Money
    on: dt.date
    note: str
    recurring: bool = False


class RecurringExpenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store: str = Field(max_length=32, description="Store code")
    category: Category = Field(description="Expense category")
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="Monthly amount")
    day_of_month: int = Field(default=1, ge=1, le=31, description="Clamped to short months")
    starts_on: dt.date = Field(description="First month it applies")
    ends_on: dt.date | None = Field(default=None, description="Last day it applies")
    note: str = Field(default="", max_length=500, description="Free text")


class PnlOut(BaseModel):
    start: dt.date
    end: dt.date
    sales_count: int
    revenue: Money = Field(description="Net of discounts and tax")
    discounts: Money
    tax: Money
    cogs: Money = Field(description="Cost of goods at moving-average cost")
    gross_profit: Money
    expenses: Money
    expenses_by_category: dict[str, Money]
    net_profit: Money


class DifferenceOut(BaseModel):
    field: str = Field(examples=["tender:cash"])
    cause: Literal[
        "missing_event",
        "unreported_sale",
        "unreported_return",
        "mismatched_totals",
        "cash_variance",
        "missing_zreport",
    ]
    kiosk: str | None
    cloud: str | None
    detail: str


class SettlementOut(BaseModel):
    node: str
    report_no: int | None
    balanced: bool
    sales_count_kiosk: int
    sales_count_cloud: int
    total_kiosk: Money
    total_cloud: Money
    tenders_kiosk: dict[str, Money]
    tenders_cloud: dict[str, Money]
    refunds_kiosk: dict[str, Money] = Field(
        default_factory=dict, description="Refunds per method on the Z report"
    )
    refunds_cloud: dict[str, Money] = Field(
        default_factory=dict, description="Refunds per method of the kiosk's recorded returns"
    )
    cash_expected: Money | None = Field(
        default=None, description="Drawer cash expected: cash in - change - cash refunds"
    )
    differences: list[DifferenceOut]
