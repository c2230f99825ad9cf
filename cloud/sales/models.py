"""Sale rows; ``sale_id`` is the kiosk-generated id, unique so a retried sale lands once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base


class Sale(Base):
    __tablename__ = "sales"
    __table_args__ = (Index("ix_sales_store_id_completed_at", "store_id", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(200), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    node: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(36))
    completed_at: Mapped[datetime] = mapped_column(index=True)
    currency: Mapped[str] = mapped_column(String(3))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True, default=None
    )
    member_ref: Mapped[str | None] = mapped_column(String(40), default=None)
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    change: Mapped[Decimal]
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    points_earned: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime]


class SaleLine(Base):
    """No foreign keys on a sale's child rows (lines, discounts, tenders): the ingest writes
    them in the statement that inserts their header, and sales are never deleted. Decision:
    docs/decisions/0150."""

    __tablename__ = "sale_lines"
    __table_args__ = (UniqueConstraint("sale_pk", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_pk: Mapped[int] = mapped_column(Integer)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer, default=None, doc="Never deleted")
    gtin: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    qty: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal]
    amount: Mapped[Decimal]
    discount: Mapped[Decimal]


class SaleDiscount(Base):
    __tablename__ = "sale_discounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_pk: Mapped[int] = mapped_column(Integer, index=True)
    line_no: Mapped[int | None] = mapped_column(Integer, default=None)
    promotion: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal]


class Tender(Base):
    __tablename__ = "sale_tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_pk: Mapped[int] = mapped_column(Integer, index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    reference: Mapped[str] = mapped_column(String(200), default="")
    provider: Mapped[str] = mapped_column(String(32), default="", server_default="")
    """wechatpay, alipay, card, cash…: settlement per provider (the method for old rows)."""


class Void(Base):
    __tablename__ = "voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    cart_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal]
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    occurred_at: Mapped[datetime]


class ZReport(Base):
    """A kiosk's end-of-day totals, kept whole for settlement against recorded sales."""

    __tablename__ = "zreports"
    __table_args__ = (UniqueConstraint("store_id", "node", "report_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32))
    report_no: Mapped[int] = mapped_column(Integer)
    business_date: Mapped[date] = mapped_column(Date)
    sales_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    settled_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime]
