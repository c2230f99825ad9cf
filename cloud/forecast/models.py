"""Open purchase orders: the "on order" term of reorder suggestions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base


class OpenOrder(Base):
    """Quantity ordered from a supplier and not yet received (``received_at`` is NULL)."""

    __tablename__ = "open_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    qty: Mapped[Decimal] = mapped_column(QTY)
    reference: Mapped[str] = mapped_column(String(200), default="")
    ordered_at: Mapped[datetime]
    expected_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
