"""Every query of the supplier tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.products.models import Product
from cloud.suppliers.models import Supplier, SupplierItem


def by_code(session: Session, code: str) -> Supplier | None:
    return session.scalars(select(Supplier).where(Supplier.code == code)).first()


def by_ids(session: Session, ids: Iterable[int]) -> dict[int, Supplier]:
    rows = session.scalars(select(Supplier).where(Supplier.id.in_(set(ids))))
    return {s.id: s for s in rows}


def page(session: Session, q: str, limit: int, offset: int) -> tuple[Sequence[Supplier], int]:
    stmt: Any = select(Supplier).order_by(Supplier.code)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Supplier.code.ilike(like), Supplier.name.ilike(like)))
    return paged(session, stmt, limit, offset)


def all_suppliers(session: Session) -> Sequence[Supplier]:
    return session.scalars(select(Supplier).order_by(Supplier.code)).all()


def items(session: Session, supplier_id: int) -> list[tuple[SupplierItem, str, str]]:
    """(item, sku, product name) of one supplier, by SKU."""
    rows = session.execute(
        select(SupplierItem, Product.sku, Product.name)
        .join(Product, Product.id == SupplierItem.product_id)
        .where(SupplierItem.supplier_id == supplier_id)
        .order_by(Product.sku)
    )
    return [(i, sku, name) for i, sku, name in rows]


def item(session: Session, supplier_id: int, product_id: int) -> SupplierItem | None:
    return session.scalars(
        select(SupplierItem).where(
            SupplierItem.supplier_id == supplier_id, SupplierItem.product_id == product_id
        )
    ).first()


def sources(session: Session, product_ids: Iterable[int]) -> list[tuple[SupplierItem, Supplier]]:
    """Every active supplier's offer for the products."""
    rows = session.execute(
        select(SupplierItem, Supplier)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(SupplierItem.product_id.in_(set(product_ids)), Supplier.active.is_(True))
    )
    return [(i, s) for i, s in rows]
