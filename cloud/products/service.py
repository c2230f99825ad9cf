"""Catalog changes; each one tells the price book publisher (after commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.pricebook.publisher import ChangeNotifier
from cloud.products import repository
from cloud.products.gtin import normalize_gtin
from cloud.products.models import Category, Product, ProductBarcode, TaxClass

EDITABLE = {
    "name",
    "name_zh",
    "price",
    "member_price",
    "cost",
    "tax_class",
    "weighed",
    "unit_weight_g",
    "weight_tolerance_g",
    "min_age",
    "plu",
    "image_path",
    "active",
}


def _notify(session: Session, publisher: ChangeNotifier | None) -> None:
    if publisher is not None:
        publisher.changed(session)


def ensure_tax_class(session: Session, code: str, rate: Decimal, name: str = "") -> TaxClass:
    row = session.get(TaxClass, code)
    if row is None:
        row = TaxClass(code=code, rate=rate, name=name)
        session.add(row)
        session.flush()
    return row


def ensure_category(session: Session, code: str, name: str, parent: str | None = None) -> Category:
    row = repository.category_by_code(session, code)
    if row is None:
        parent_row = repository.category_by_code(session, parent) if parent else None
        row = Category(code=code, name=name, parent_id=parent_row.id if parent_row else None)
        session.add(row)
        session.flush()
    return row


def create_product(
    session: Session,
    *,
    sku: str,
    name: str,
    price: Decimal,
    gtins: Iterable[str] = (),
    category: str | None = None,
    publisher: ChangeNotifier | None = None,
    **fields: Any,
) -> Product:
    if repository.by_sku(session, sku) is not None:
        raise ConflictError(f"product {sku!r} already exists")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationFailedError(f"unknown product fields: {sorted(unknown)}")
    if price < 0:
        raise ValidationFailedError("price cannot be negative")
    product = Product(sku=sku, name=name, price=price, updated_at=datetime.now(UTC), **fields)
    if category is not None:
        cat = repository.category_by_code(session, category)
        if cat is None:
            raise NotFoundError(f"category {category!r} not found")
        product.category_id = cat.id
    session.add(product)
    session.flush()
    for code in gtins:
        add_barcode(session, product, code)
    _notify(session, publisher)
    return product


def add_barcode(session: Session, product: Product, code: str) -> ProductBarcode:
    try:
        gtin = normalize_gtin(code)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from exc
    if repository.by_barcode(session, gtin) is not None:
        raise ConflictError(f"barcode {gtin} is already used")
    barcode = ProductBarcode(product_id=product.id, gtin=gtin)
    session.add(barcode)
    session.flush()
    session.refresh(product, ["barcodes"])
    return barcode


def update_product(
    session: Session, sku: str, *, publisher: ChangeNotifier | None = None, **fields: Any
) -> Product:
    """Change prices or details; the price book is republished after commit."""
    product = get_product(session, sku)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationFailedError(f"unknown product fields: {sorted(unknown)}")
    if "price" in fields and fields["price"] < 0:
        raise ValidationFailedError("price cannot be negative")
    for key, value in fields.items():
        setattr(product, key, value)
    product.updated_at = datetime.now(UTC)
    session.flush()
    _notify(session, publisher)
    return product


def get_product(session: Session, sku: str) -> Product:
    product = repository.by_sku(session, sku)
    if product is None:
        raise NotFoundError(f"product {sku!r} not found")
    return product


def find_by_barcode(session: Session, code: str) -> Product | None:
    try:
        gtin = normalize_gtin(code)
    except ValueError:
        return None
    return repository.by_barcode(session, gtin)


def list_products(
    session: Session,
    *,
    search: str | None = None,
    category: str | None = None,
    active: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Product]:
    return repository.page(
        session, search=search, category=category, active=active, limit=limit, offset=offset
    )
