"""Purchase orders, their lines, what was received against them, returns and the approval
limit. Quantities are in units (a line's ``pack_size`` says how they were packed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base
from cloud.suppliers.models import UNIT_COST

PO_STATUSES = (
    "draft",
    "approved",
    "sent",
    "partially_received",
    "received",
    "closed",
    "cancelled",
)
OPEN_STATUSES = ("draft", "approved", "sent", "partially_received")
"""Statuses whose unreceived quantity counts as on order (decision 0230)."""


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (CheckConstraint(f"status IN {PO_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    source: Mapped[str] = mapped_column(String(16), default="manual")
    note: Mapped[str] = mapped_column(String(500), default="")
    total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64), default="")
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    expected_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    paid_amount: Mapped[Decimal] = mapped_column(default=Decimal(0))


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    supplier_sku: Mapped[str] = mapped_column(String(64), default="")
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    qty_ordered: Mapped[Decimal] = mapped_column(QTY)
    unit_cost: Mapped[Decimal] = mapped_column(UNIT_COST)
    qty_received: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    qty_damaged: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    qty_returned: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))


class PurchaseReceipt(Base):
    """One line's count at one delivery: good units go to stock, damaged ones do not; a
    count beyond what is still open (over-delivery) or a damaged unit carries a reason."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id", ondelete="CASCADE"))
    qty: Mapped[Decimal] = mapped_column(QTY)
    damaged: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    reason: Mapped[str] = mapped_column(String(200), default="")
    movement_id: Mapped[int | None] = mapped_column(Integer, default=None)
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(String(64), default="")


class SupplierReturn(Base):
    """Units sent back to the supplier (out of stock, credited at the line's cost)."""

    __tablename__ = "supplier_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id", ondelete="CASCADE"))
    qty: Mapped[Decimal] = mapped_column(QTY)
    reason: Mapped[str] = mapped_column(String(200))
    movement_id: Mapped[int | None] = mapped_column(Integer, default=None)
    returned_at: Mapped[datetime]
    returned_by: Mapped[str] = mapped_column(String(64), default="")


class PurchaseLimits(Base):
    """Head office's limit on what a manager approves alone (one row; none = the default)."""

    __tablename__ = "purchase_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_max_amount: Mapped[Decimal]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
