"""Catalog changes; each one tells the price book publisher (after commit)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.products import repository
from cloud.products.changes import ChangeNotifier
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


def find_product(session: Session, sku: str) -> Product | None:
    """The product of ``sku``, or None (``get_product`` raises instead)."""
    return repository.by_sku(session, sku)


def find_category(session: Session, code: str) -> Category | None:
    return repository.category_by_code(session, code)


def gtin_index(session: Session, gtins: Iterable[str]) -> dict[str, tuple[int, Decimal | None]]:
    """GTIN → (product id, unit cost) for the given barcodes (one query)."""
    return repository.gtin_index(session, gtins)


def api_page(
    session: Session,
    *,
    gtin: str | None,
    q: str | None,
    category: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Product], int]:
    """Products by SKU for the API: by barcode, name contains or SKU equals ``q``, category
    and active; one page and the count."""
    return repository.api_page(
        session, gtin=gtin, q=q, category=category, active=active, limit=limit, offset=offset
    )


def console_search(session: Session, q: str, limit: int, offset: int) -> list[Product]:
    """Name, SKU or barcode search for the console; all products when ``q`` is empty."""
    return repository.console_search(session, q, limit, offset)


def all_products(session: Session) -> Iterator[Product]:
    return repository.all_products(session)


def find_by_gtin(session: Session, gtin: str) -> Product | None:
    """The product with the (already normalised) GTIN."""
    return repository.by_barcode(session, gtin)


def by_plu(session: Session, plu: str) -> Product | None:
    return repository.by_plu(session, plu)


def tax_class(session: Session, code: str) -> TaxClass | None:
    return repository.tax_class(session, code)


def categories(session: Session) -> list[Category]:
    return repository.categories(session)


def tax_classes(session: Session) -> list[TaxClass]:
    return repository.tax_classes(session)


def tax_codes(session: Session) -> set[str]:
    return repository.tax_codes(session)


def category_page(session: Session, limit: int, offset: int) -> tuple[Sequence[Category], int]:
    return repository.category_page(session, limit, offset)


def category_codes(session: Session) -> dict[int, str]:
    return repository.category_codes(session)


def ids_by_sku(session: Session, skus: Iterable[str]) -> dict[str, int]:
    return repository.ids_by_sku(session, skus)


def skus_by_id(session: Session, ids: Iterable[int]) -> dict[int, str]:
    return repository.skus_by_id(session, ids)


def find_by_code(session: Session, code: str) -> Product | None:
    """A product by SKU, else by barcode (any GTIN form the scanner gives)."""
    product = repository.by_sku(session, code[:64])
    if product is not None or not code.isdigit():
        return product
    return find_by_barcode(session, code)


def active_search(session: Session, q: str, category: str, limit: int) -> list[Product]:
    """Active products by SKU whose SKU or name contains ``q``, in ``category`` if given."""
    return repository.active_search(session, q, category, limit)
