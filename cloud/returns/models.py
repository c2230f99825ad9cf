"""Return rows. A return's lines say what came back and where it went; refund rows say how the
money (or points, or coupon) went back; one finance entry per return reverses the revenue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base

DISPOSITIONS = ("restock", "damaged")


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_no: Mapped[str] = mapped_column(String(200), unique=True)
    sale_pk: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    node: Mapped[str | None] = mapped_column(String(32), default=None)
    reason: Mapped[str] = mapped_column(String(200))
    refund_total: Mapped[Decimal]
    tax: Mapped[Decimal]
    discount: Mapped[Decimal]
    points_reversed: Mapped[int] = mapped_column(Integer, default=0)
    points_refunded: Mapped[int] = mapped_column(Integer, default=0)
    full: Mapped[bool] = mapped_column(default=False)
    processed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    occurred_at: Mapped[datetime] = mapped_column(index=True)


class ReturnLine(Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        UniqueConstraint("return_pk", "line_no"),
        CheckConstraint(f"disposition IN {DISPOSITIONS!r}", name="disposition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_pk: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    sale_pk: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    gtin: Mapped[str] = mapped_column(String(14))
    qty: Mapped[Decimal] = mapped_column(QTY)
    amount: Mapped[Decimal]
    tax: Mapped[Decimal]
    disposition: Mapped[str] = mapped_column(String(16), default="restock")


class ReturnRefund(Base):
    """Money back by original tender; cash ones are counted against ``node``'s drawer."""

    __tablename__ = "return_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_pk: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    node: Mapped[str | None] = mapped_column(String(32), default=None)


class RefundEntry(Base):
    """The finance reversal of a return: negative revenue, discount, tax and cost."""

    __tablename__ = "refund_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    return_pk: Mapped[int] = mapped_column(
        ForeignKey("returns.id", ondelete="CASCADE"), unique=True
    )
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    revenue: Mapped[Decimal]
    discount: Mapped[Decimal]
    tax: Mapped[Decimal]
    cost: Mapped[Decimal]
