"""An online order and its lines. Reserved stock is not a table of its own: it is the lines of
the orders still open (placed, picking, ready, out for delivery), so a status change is the
only write that reserves, releases or hands stock over to the sale."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base

STATUSES = (
    "placed",
    "picking",
    "ready",
    "out_for_delivery",
    "collected",
    "delivered",
    "cancelled",
)
OPEN_STATUSES = ("placed", "picking", "ready", "out_for_delivery")
"""Statuses whose lines hold stock reserved."""
CHANNELS = ("web", "miniprogram", "phone")
FULFILMENTS = ("pickup", "delivery")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        CheckConstraint(f"fulfilment IN {FULFILMENTS!r}", name="fulfilment"),
        UniqueConstraint("store_id", "pickup_code"),
        Index("ix_orders_store_id_status", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(32), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    fulfilment: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    pickup_code: Mapped[str] = mapped_column(String(8))
    customer: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    tax_inclusive: Mapped[bool]
    payment_ref: Mapped[str] = mapped_column(String(64))
    refund_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    refunded: Mapped[Decimal | None] = mapped_column(default=None)
    picker: Mapped[str | None] = mapped_column(String(64), default=None)
    placed_by: Mapped[str] = mapped_column(String(64))
    sale_id: Mapped[str | None] = mapped_column(String(200), default=None)
    placed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    picking_at: Mapped[datetime | None] = mapped_column(default=None)
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(
        default=None, doc="Collected, delivered or cancelled"
    )


class OrderLine(Base):
    """A priced line (gifts included) with how many units the picker has scanned."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_pk", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    sku: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    qty: Mapped[Decimal] = mapped_column(QTY)
    picked: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    unit_price: Mapped[Decimal]
    amount: Mapped[Decimal]
    discounts: Mapped[list[dict[str, str]]] = mapped_column(JSON)
