"""Sales aggregates kept up to date on ingest, so reports never scan raw sale lines.

Days and hours are the store's local business day and hour. Rows only grow by
``add_sales`` (insert-or-add) or are rebuilt from the raw tables by ``rebuild``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base


class HourlySales(Base):
    """Per store, local day and hour: basket counts and money totals of the sales."""

    __tablename__ = "agg_sales_hourly"
    __table_args__ = (UniqueConstraint("store_id", "day", "hour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(Integer)
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    subtotal: Mapped[Decimal] = mapped_column(default=Decimal(0))
    discount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(default=Decimal(0))


class ProductDaily(Base):
    """Per store, local day and GTIN: quantity, gross line amount and line discounts."""

    __tablename__ = "agg_product_daily"
    __table_args__ = (UniqueConstraint("store_id", "day", "gtin"), Index(None, "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    gtin: Mapped[str] = mapped_column(String(14))
    lines: Mapped[int] = mapped_column(Integer, default=0)
    qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    gross: Mapped[Decimal] = mapped_column(default=Decimal(0))
    discount: Mapped[Decimal] = mapped_column(default=Decimal(0))


class ProductMonthly(Base):
    """The same per month (first day of the local month): chain-wide rankings stay small."""

    __tablename__ = "agg_product_monthly"
    __table_args__ = (UniqueConstraint("store_id", "month", "gtin"), Index(None, "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    gtin: Mapped[str] = mapped_column(String(14))
    lines: Mapped[int] = mapped_column(Integer, default=0)
    qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    gross: Mapped[Decimal] = mapped_column(default=Decimal(0))
    discount: Mapped[Decimal] = mapped_column(default=Decimal(0))
