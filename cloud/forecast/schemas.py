"""Forecast API bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class BacktestOut(BaseModel):
    store: str
    horizon_days: int = Field(description="Days forecast from each origin")
    origins: int = Field(description="Forecasts made (series × origins)")
    wape: float = Field(description="Σ|actual − forecast| / Σ actual of the model")
    baseline_wape: float = Field(description="The same for seasonal-naive (last week)")
    beats_baseline: bool


class OpenOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store: str = Field(max_length=32, description="Store code")
    sku: str = Field(max_length=64, description="Product ordered")
    qty: Decimal = Field(gt=0, max_digits=14, decimal_places=3, description="Units ordered")
    expected_on: dt.date | None = Field(default=None, description="Expected delivery day")
    reference: str = Field(default="", max_length=200, description="Supplier order number")


class OpenOrderOut(BaseModel):
    id: int
    store: str
    sku: str
    qty: Decimal
    expected_on: dt.date | None
    reference: str
