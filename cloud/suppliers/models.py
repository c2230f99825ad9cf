"""Supplier master data (chain-wide, head office's) and the products each supplies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base

UNIT_COST = Numeric(14, 4, asdecimal=True)
"""A supplier's cost per unit: four places, as price lists quote (0.4375 a can)."""


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_days"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    tax_id: Mapped[str] = mapped_column(String(32), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=3)
    min_order_amount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]


class SupplierItem(Base):
    """One product a supplier sells: its item code, unit cost, pack size and minimum units.

    ``preferred`` picks the supplier a reorder suggestion goes to when several sell the product
    (else the cheapest)."""

    __tablename__ = "supplier_items"
    __table_args__ = (
        UniqueConstraint("supplier_id", "product_id"),
        CheckConstraint("pack_size >= 1", name="pack_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    supplier_sku: Mapped[str] = mapped_column(String(64), default="")
    unit_cost: Mapped[Decimal] = mapped_column(UNIT_COST)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    min_qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
