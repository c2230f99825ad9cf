"""Catalog queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.products.models import Category, Product, ProductBarcode, TaxClass


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
    stmt = select(Product).order_by(Product.sku)
    if gtin is not None:
        stmt = stmt.where(
            Product.id.in_(select(ProductBarcode.product_id).where(ProductBarcode.gtin == gtin))
        )
    if q:
        stmt = stmt.where(or_(Product.name.contains(q, autoescape=True), Product.sku == q))
    if category is not None:
        stmt = stmt.join(Category, Category.id == Product.category_id).where(
            Category.code == category
        )
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    return paged(session, stmt, limit, offset)


def console_search(session: Session, q: str, limit: int, offset: int) -> list[Product]:
    """Products by SKU whose name (either language) or SKU contains ``q``, or with barcode
    ``q`` (zero-padded to a GTIN-14); all products when ``q`` is empty."""
    stmt = select(Product).order_by(Product.sku)
    if q:
        gtin_ids = select(ProductBarcode.product_id).where(ProductBarcode.gtin == q.zfill(14))
        stmt = stmt.where(
            or_(
                Product.name.contains(q, autoescape=True),
                Product.name_zh.contains(q, autoescape=True),
                Product.sku.contains(q, autoescape=True),
                Product.id.in_(gtin_ids),
            )
        )
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def all_products(session: Session) -> Iterator[Product]:
    """Every product by SKU, streamed (the CSV export)."""
    return iter(session.scalars(select(Product).order_by(Product.sku)))


def by_plu(session: Session, plu: str) -> Product | None:
    return session.scalars(select(Product).where(Product.plu == plu)).first()


def tax_class(session: Session, code: str) -> TaxClass | None:
    return session.get(TaxClass, code)


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.code)))


def tax_classes(session: Session) -> list[TaxClass]:
    return list(session.scalars(select(TaxClass).order_by(TaxClass.code)))


def tax_codes(session: Session) -> set[str]:
    return set(session.scalars(select(TaxClass.code)))


def category_page(session: Session, limit: int, offset: int) -> tuple[Sequence[Category], int]:
    return paged(session, select(Category).order_by(Category.code), limit, offset)


def category_codes(session: Session) -> dict[int, str]:
    """Category id → code, of every category."""
    return {c.id: c.code for c in session.scalars(select(Category))}


def ids_by_sku(session: Session, skus: Iterable[str]) -> dict[str, int]:
    stmt = select(Product.sku, Product.id).where(Product.sku.in_(list(skus)))
    return {key: value for key, value in session.execute(stmt)}


def skus_by_id(session: Session, ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Product.id, Product.sku).where(Product.id.in_(list(ids)))
    return {key: value for key, value in session.execute(stmt)}


def active_search(session: Session, q: str, category: str, limit: int) -> list[Product]:
    """Active products by SKU whose SKU or name contains ``q``, in ``category`` if given."""
    stmt = select(Product).where(Product.active.is_(True)).order_by(Product.sku)
    if q:
        stmt = stmt.where(
            Product.sku.contains(q, autoescape=True) | Product.name.contains(q, autoescape=True)
        )
    if category:
        stmt = stmt.join(Category, Category.id == Product.category_id).where(
            Category.code == category
        )
    return list(session.scalars(stmt.limit(limit)))
