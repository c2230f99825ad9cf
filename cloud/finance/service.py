"""Revenue entries (one per sale, same transaction), expenses and simple settlement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.db.upsert import bulk_insert
from cloud.finance import repository
from cloud.finance.models import Expense, RevenueEntry

EXPENSE_CATEGORIES = ("purchasing", "rent", "wages", "utilities", "other")


def record_revenue(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert; ``sale_pk`` is UNIQUE so a sale can never be counted twice."""
    if rows:
        bulk_insert(session, RevenueEntry, list(rows))


def revenue_row(
    *,
    store_id: int,
    sale_pk: int,
    at: datetime,
    subtotal: Decimal,
    discount: Decimal,
    tax: Decimal,
    tax_inclusive: bool,
    cost: Decimal,
) -> dict[str, Any]:
    """Revenue is net of discounts and tax."""
    net = subtotal - discount - (tax if tax_inclusive else Decimal(0))
    return {
        "store_id": store_id,
        "sale_pk": sale_pk,
        "occurred_at": at,
        "revenue": net,
        "discount": discount,
        "tax": tax,
        "cost": cost,
    }


def add_expense(
    session: Session, *, store_id: int, category: str, amount: Decimal, on: date, note: str = ""
) -> Expense:
    if category not in EXPENSE_CATEGORIES:
        raise ValueError(f"expense category must be one of {EXPENSE_CATEGORIES}")
    row = Expense(store_id=store_id, category=category, amount=amount, incurred_on=on, note=note)
    session.add(row)
    session.flush()
    return row


def profit(session: Session, store_id: int, start: datetime, end: datetime) -> dict[str, Decimal]:
    """Revenue, tax, cost of goods and gross profit in [start, end)."""
    t = repository.totals(session, store_id, start, end)
    return {**t, "gross_profit": t["revenue"] - t["cost"]}
