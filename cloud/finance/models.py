"""One revenue entry per sale (unique), written in the sale's transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base


class RevenueEntry(Base):
    """One per sale, written with it by the ingest (no foreign keys: decision 0150)."""

    __tablename__ = "revenue_entries"
    __table_args__ = (Index("ix_revenue_entries_store_id_occurred_at", "store_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer)
    sale_pk: Mapped[int] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime]
    revenue: Mapped[Decimal] = mapped_column(doc="Net of tax and discounts")
    discount: Mapped[Decimal]
    tax: Mapped[Decimal]
    cost: Mapped[Decimal]


class Expense(Base):
    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal]
    incurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")


class RecurringExpense(Base):
    """An expense repeated every month on ``day_of_month`` (clamped to short months)."""

    __tablename__ = "recurring_expenses"
    __table_args__ = (CheckConstraint("day_of_month BETWEEN 1 AND 31", name="day_of_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal]
    day_of_month: Mapped[int] = mapped_column(Integer, default=1)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
