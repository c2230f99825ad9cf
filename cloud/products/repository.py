"""Catalog queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.products.models import Category, Product, ProductBarcode


def by_sku(session: Session, sku: str) -> Product | None:
    return session.scalars(select(Product).where(Product.sku == sku)).one_or_none()


def by_barcode(session: Session, gtin: str) -> Product | None:
    stmt = select(Product).join(ProductBarcode).where(ProductBarcode.gtin == gtin)
    return session.scalars(stmt).one_or_none()


def category_by_code(session: Session, code: str) -> Category | None:
    return session.scalars(select(Category).where(Category.code == code)).one_or_none()


def gtin_index(session: Session, gtins: Iterable[str]) -> dict[str, tuple[int, Decimal | None]]:
    """GTIN → (product id, unit cost) for the given barcodes (one query)."""
    wanted = sorted(set(gtins))
    if not wanted:
        return {}
    stmt = (
        select(ProductBarcode.gtin, Product.id, Product.cost)
        .join(Product, Product.id == ProductBarcode.product_id)
        .where(ProductBarcode.gtin.in_(wanted))
    )
    return {gtin: (pid, cost) for gtin, pid, cost in session.execute(stmt)}


def page(
    session: Session,
    *,
    search: str | None = None,
    category: str | None = None,
    active: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Product]:
    stmt = select(Product).order_by(Product.sku)
    if search:
        stmt = stmt.where(Product.name.ilike(f"%{search}%") | (Product.sku == search))
    if category:
        stmt = stmt.join(Category, Category.id == Product.category_id).where(
            Category.code == category
        )
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    return session.scalars(stmt.limit(limit).offset(offset)).unique().all()
