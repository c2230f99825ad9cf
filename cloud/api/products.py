"""/products and /categories: the chain catalog. Head office (admin, hq) edits; store roles
read. A store's own prices are ``/stores/{store}/prices`` (cloud.api.store_prices).

A price or product change tells the price book publisher, which republishes after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel

from cloud.deps import (
    CatalogueReader,
    CtxDep,
    HeadOfficeUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    audit,
)
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.products import service
from cloud.products.gtin import normalize_gtin
from cloud.products.models import Product
from cloud.products.schemas import (
    BarcodeIn,
    CategoryCreate,
    CategoryOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/products", tags=["products"])
categories_router = APIRouter(prefix="/categories", tags=["products"])

SkuPath = Annotated[str, Path(min_length=1, max_length=64)]


def product_out(p: Product) -> ProductOut:
    return ProductOut(
        sku=p.sku,
        name=p.name,
        name_zh=p.name_zh,
        category=p.category.code if p.category is not None else None,
        gtins=sorted(b.gtin for b in p.barcodes),
        price=p.price,
        member_price=p.member_price,
        cost=p.cost,
        tax_class=p.tax_class,
        weighed=p.weighed,
        unit_weight_g=p.unit_weight_g,
        weight_tolerance_g=p.weight_tolerance_g,
        min_age=p.min_age,
        plu=p.plu,
        image_path=p.image_path,
        active=p.active,
        updated_at=p.updated_at,
    )


def _check_refs(session: Session, tax_class: str | None, category: str | None) -> int | None:
    if tax_class is not None and service.tax_class(session, tax_class) is None:
        raise ValidationFailedError(f"unknown tax class {tax_class!r}")
    if category is None:
        return None
    row = service.find_category(session, category)
    if row is None:
        raise ValidationFailedError(f"unknown category {category!r}")
    return row.id


def _check_plu(session: Session, plu: str | None, sku: str) -> None:
    if plu is None:
        return
    other = service.by_plu(session, plu)
    if other is not None and other.sku != sku:
        raise ConflictError(f"PLU {plu} is used by {other.sku}")


def _values(body: BaseModel) -> dict[str, Any]:
    """Field values as Python objects (model_dump would turn money into strings)."""
    return {name: getattr(body, name) for name in type(body).model_fields}


def _fresh(session: Session, product: Product) -> ProductOut:
    session.flush()
    session.refresh(product)
    return product_out(product)


@router.get("", response_model=Page[ProductOut])
def list_products(
    user: CatalogueReader,
    session: SessionDep,
    page: PageDep,
    barcode: Annotated[
        str | None, Query(max_length=64, description="EAN-13/8, UPC-A/E or GTIN-14")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Name contains, or exact SKU")
    ] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    active: bool | None = None,
) -> Page[ProductOut]:
    gtin = None
    if barcode is not None:
        try:
            gtin = normalize_gtin(barcode)
        except ValueError:
            return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    rows, total = service.api_page(
        session,
        gtin=gtin,
        q=q,
        category=category,
        active=active,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[product_out(p) for p in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "",
    response_model=ProductOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "SKU, barcode or PLU already used"}},
)
def create_product(
    body: ProductCreate, user: HeadOfficeUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> ProductOut:
    _check_refs(session, body.tax_class, body.category)
    _check_plu(session, body.plu, body.sku)
    skip = {"sku", "name", "price", "gtins", "category"}
    fields: dict[str, Any] = {
        k: v for k, v in _values(body).items() if k not in skip and v is not None
    }
    product = service.create_product(
        session,
        sku=body.sku,
        name=body.name,
        price=body.price,
        gtins=body.gtins,
        category=body.category,
        publisher=ctx.publisher,
        **fields,
    )
    product.updated_at = now
    audit(session, user, now, "create", "product", body.sku, details=body.model_dump())
    out = _fresh(session, product)
    session.commit()
    return out


@router.get("/{sku}", response_model=ProductOut)
def get_product(sku: SkuPath, user: CatalogueReader, session: SessionDep) -> ProductOut:
    return product_out(service.get_product(session, sku))


@router.patch("/{sku}", response_model=ProductOut)
def update_product(
    sku: SkuPath,
    body: ProductUpdate,
    user: HeadOfficeUser,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> ProductOut:
    """Price changes are audited with the old and new price and republish the price book."""
    product = service.get_product(session, sku)
    changes = {k: v for k, v in _values(body).items() if k in body.model_fields_set}
    category = changes.pop("category", None)
    for key in ("name", "price", "tax_class", "weighed", "active"):
        if key in changes and changes[key] is None:
            raise ValidationFailedError(f"{key} cannot be null")
    category_id = _check_refs(session, changes.get("tax_class"), category)
    _check_plu(session, changes.get("plu"), sku)
    before = {k: getattr(product, k) for k in changes}
    if category is not None:
        product.category_id = category_id
    service.update_product(session, sku, publisher=ctx.publisher, **changes)
    product.updated_at = now
    audit(
        session,
        user,
        now,
        "update",
        "product",
        sku,
        details={"before": before, "after": body.model_dump(exclude_unset=True)},
    )
    out = _fresh(session, product)
    session.commit()
    return out


@router.delete("/{sku}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product(
    sku: SkuPath, user: HeadOfficeUser, session: SessionDep, ctx: CtxDep, now: NowDep
) -> None:
    """Deactivate: sales history keeps pointing at the product, kiosks stop selling it."""
    service.update_product(session, sku, publisher=ctx.publisher, active=False)
    audit(session, user, now, "deactivate", "product", sku)
    session.commit()


@router.post("/{sku}/barcodes", response_model=ProductOut, status_code=status.HTTP_201_CREATED)
def add_barcode(
    sku: SkuPath,
    body: BarcodeIn,
    user: HeadOfficeUser,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> ProductOut:
    product = service.get_product(session, sku)
    barcode = service.add_barcode(session, product, body.gtin)
    if ctx.publisher is not None:
        ctx.publisher.changed(session)
    audit(session, user, now, "add_barcode", "product", sku, details={"gtin": barcode.gtin})
    out = _fresh(session, product)
    session.commit()
    return out


@router.delete("/{sku}/barcodes/{gtin}", response_model=ProductOut)
def remove_barcode(
    sku: SkuPath,
    gtin: Annotated[str, Path(pattern=r"^\d{6,14}$")],
    user: HeadOfficeUser,
    session: SessionDep,
    ctx: CtxDep,
    now: NowDep,
) -> ProductOut:
    product = service.get_product(session, sku)
    try:
        normal = normalize_gtin(gtin)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from exc
    row = next((b for b in product.barcodes if b.gtin == normal), None)
    if row is None:
        raise NotFoundError(f"product {sku!r} has no barcode {normal}")
    product.barcodes.remove(row)
    if ctx.publisher is not None:
        ctx.publisher.changed(session)
    audit(session, user, now, "remove_barcode", "product", sku, details={"gtin": normal})
    out = _fresh(session, product)
    session.commit()
    return out


@categories_router.get("", response_model=Page[CategoryOut])
def list_categories(user: CatalogueReader, session: SessionDep, page: PageDep) -> Page[CategoryOut]:
    rows, total = service.category_page(session, page.limit, page.offset)
    parents = service.category_codes(session)
    items = [
        CategoryOut(code=c.code, name=c.name, parent=parents.get(c.parent_id or 0)) for c in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@categories_router.post("", response_model=CategoryOut, status_code=status.HTTP_201_CREATED)
def create_category(
    body: CategoryCreate, user: HeadOfficeUser, session: SessionDep, now: NowDep
) -> CategoryOut:
    if service.find_category(session, body.code) is not None:
        raise ConflictError(f"category {body.code!r} already exists")
    if body.parent is not None and service.find_category(session, body.parent) is None:
        raise ValidationFailedError(f"unknown parent category {body.parent!r}")
    service.ensure_category(session, body.code, body.name, body.parent)
    audit(session, user, now, "create", "category", body.code, details=body.model_dump())
    session.commit()
    return CategoryOut(code=body.code, name=body.name, parent=body.parent)
