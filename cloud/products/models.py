"""Catalog rows. Product data and base prices are chain-wide (head office's); a store may
override its own price, member price and availability (:class:`StorePrice`). Every barcode is
stored as GTIN-14."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloud.db.base import QTY, Base


class TaxClass(Base):
    __tablename__ = "tax_classes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), default=None
    )


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200), default=None)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True, default=None
    )
    price: Mapped[Decimal]
    member_price: Mapped[Decimal | None] = mapped_column(default=None)
    cost: Mapped[Decimal | None] = mapped_column(default=None)
    tax_class: Mapped[str] = mapped_column(ForeignKey("tax_classes.code"), default="std")
    weighed: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_weight_g: Mapped[Decimal | None] = mapped_column(QTY, default=None)
    weight_tolerance_g: Mapped[Decimal | None] = mapped_column(QTY, default=None)
    min_age: Mapped[int | None] = mapped_column(Integer, default=None)
    plu: Mapped[str | None] = mapped_column(String(8), unique=True, default=None)
    image_path: Mapped[str | None] = mapped_column(String(300), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    barcodes: Mapped[list[ProductBarcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan", lazy="selectin"
    )
    category: Mapped[Category | None] = relationship(lazy="joined")


class ProductBarcode(Base):
    __tablename__ = "product_barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    gtin: Mapped[str] = mapped_column(String(14), unique=True)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class StorePrice(Base):
    """A store's own terms for a chain product, set by its manager; only that store's price
    book carries them. ``None`` keeps the chain's price or member price."""

    __tablename__ = "store_prices"
    __table_args__ = (UniqueConstraint("store_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    price: Mapped[Decimal | None] = mapped_column(default=None)
    member_price: Mapped[Decimal | None] = mapped_column(default=None)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64), default="")
