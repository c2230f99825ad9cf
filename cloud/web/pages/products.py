"""Products: search, create/edit, image upload, CSV import (dry run + row report), CSV export.

Writes go through ``cloud.products.service`` (which tells the price book publisher) and are
audited in the same transaction.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.exceptions import CloudError, ConflictError, NotFoundError, ValidationFailedError
from cloud.products import repository, service
from cloud.products.gtin import normalize_gtin
from cloud.products.models import Category, Product, ProductBarcode, TaxClass
from cloud.web.console import (
    ConsoleDep,
    FieldErrors,
    FormDep,
    Viewer,
    ViewerDep,
    decimal_field,
    int_field,
    render,
    text,
)
from cloud.web.csv_import import ParsedCsv, Row, RowError, export_products, parse_products
from cloud.web.exceptions import PageNotFoundError
from cloud.web.forms import refused, saved

router = APIRouter(prefix="/console")
PAGE = 50
MAX_IMAGE = 2_000_000
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"RIFF": ".webp"}


def _search(session: Session, q: str, offset: int) -> list[Product]:
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
    return list(session.scalars(stmt.limit(PAGE).offset(offset)))


def _choices(session: Session) -> dict[str, Any]:
    return {
        "categories": list(session.scalars(select(Category).order_by(Category.code))),
        "tax_classes": list(session.scalars(select(TaxClass).order_by(TaxClass.code))),
    }


@router.get("/products", response_class=HTMLResponse)
def products(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    rows = _search(session, q.strip(), offset)
    name = "_product_rows.html" if request.headers.get("HX-Request") else "products.html"
    return render(request, name, viewer=viewer, rows=rows, q=q, offset=offset, page=PAGE)


def _form_values(form: FormData, errors: FieldErrors, viewer: Viewer) -> dict[str, Any]:
    t = viewer.t
    values: dict[str, Any] = {
        "name": text(form, "name"),
        "name_zh": text(form, "name_zh") or None,
        "price": decimal_field(form, "price", errors, t),
        "member_price": decimal_field(form, "member_price", errors, t, required=False),
        "cost": decimal_field(form, "cost", errors, t, required=False),
        "unit_weight_g": decimal_field(
            form, "unit_weight_g", errors, t, required=False, minimum=Decimal("0.001"), places=3
        ),
        "min_age": int_field(form, "min_age", errors, t, required=False, maximum=99),
        "tax_class": text(form, "tax_class", 16) or "std",
        "active": form.get("active") is not None,
    }
    if not values["name"]:
        errors["name"] = t("err.required")
    return values


def _gtins(form: FormData, errors: FieldErrors, viewer: Viewer) -> list[str]:
    out: list[str] = []
    for code in text(form, "gtins", 300).replace(",", " ").split():
        try:
            out.append(normalize_gtin(code))
        except ValueError:
            errors["gtins"] = viewer.t("err.gtin", code=code[:20])
    return out


def _edit_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    product: Product | None,
    form: FormData | None,
    errors: FieldErrors,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "product_form.html",
        viewer=viewer,
        product=product,
        form=form,
        errors=errors,
        status_code=status_code,
        **_choices(session),
    )


@router.get("/products/new", response_class=HTMLResponse)
def new_product(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return _edit_page(request, viewer, session, None, None, FieldErrors())


@router.post("/products/new", response_model=None)
def create_product(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER)
    errors = FieldErrors()
    sku = text(form, "sku", 64)
    if not sku or not all(c.isalnum() or c in "._-" for c in sku) or not sku.isascii():
        errors["sku"] = viewer.t("err.sku")
    values = _form_values(form, errors, viewer)
    gtins = _gtins(form, errors, viewer)
    category = text(form, "category", 64) or None
    if not errors:
        try:
            product = service.create_product(
                session,
                sku=sku,
                gtins=gtins,
                category=category,
                publisher=ctx.publisher,
                **values,
            )
        except ConflictError as exc:
            refused(session, errors, "gtins" if "barcode" in str(exc) else "sku", str(exc))
        except (ValidationFailedError, NotFoundError) as exc:
            refused(session, errors, "category" if "category" in str(exc) else "price", str(exc))
        else:
            return saved(
                session,
                viewer,
                now,
                "create",
                "product",
                sku,
                to=f"/console/products/{sku}?saved=1",
                details={"name": product.name, "price": product.price, "via": "console"},
            )
    return _edit_page(request, viewer, session, None, form, errors, 422)


def _product(session: Session, sku: str) -> Product:
    if "\x00" in sku:
        raise PageNotFoundError("no such product")
    product = repository.by_sku(session, sku[:64])
    if product is None:
        raise PageNotFoundError(f"product {sku!r} not found")
    return product


@router.get("/products/{sku}", response_class=HTMLResponse)
def edit_product_form(
    sku: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return _edit_page(request, viewer, session, _product(session, sku), None, FieldErrors())


@router.post("/products/{sku}", response_model=None)
def update_product(
    sku: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    ctx: CtxDep,
    now: NowDep,
) -> Response:
    viewer.require(Role.MANAGER)
    product = _product(session, sku)
    errors = FieldErrors()
    values = _form_values(form, errors, viewer)
    gtins = _gtins(form, errors, viewer)
    category = text(form, "category", 64)
    cat = repository.category_by_code(session, category) if category else None
    if category and cat is None:
        errors["category"] = viewer.t("err.unknown")
    if session.get(TaxClass, values["tax_class"]) is None:
        errors["tax_class"] = viewer.t("err.unknown")
    if not errors:
        try:
            service.update_product(session, sku, publisher=ctx.publisher, **values)
            product.category_id = cat.id if cat is not None else None
            current = {b.gtin for b in product.barcodes}
            for barcode in list(product.barcodes):
                if barcode.gtin not in gtins:
                    session.delete(barcode)
            session.flush()
            for gtin in gtins:
                if gtin not in current:
                    service.add_barcode(session, product, gtin)
        except CloudError as exc:
            refused(session, errors, "gtins", str(exc))
            product = _product(session, sku)
        else:
            return saved(
                session,
                viewer,
                now,
                "update",
                "product",
                sku,
                to=f"/console/products/{sku}?saved=1",
                details={"price": values["price"], "via": "console"},
            )
    return _edit_page(request, viewer, session, product, form, errors, 422)


@router.post("/products/{sku}/image", response_model=None)
def upload_image(
    sku: str,
    request: Request,
    viewer: ViewerDep,
    form: FormDep,
    console: ConsoleDep,
    ctx: CtxDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """PNG, JPEG or WebP up to 2 MB, recognised by its magic bytes, stored under a random name."""
    viewer.require(Role.MANAGER)
    upload = form.get("image")
    error = ""
    data = b""
    if not isinstance(upload, UploadFile):
        error = viewer.t("err.required")
    else:
        data = upload.file.read(MAX_IMAGE + 1)
        if len(data) > MAX_IMAGE:
            error = viewer.t("err.image_size")
    suffix = next((ext for magic, ext in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if not error and (suffix is None or (suffix == ".webp" and data[8:12] != b"WEBP")):
        error = viewer.t("err.image_type")
    product = _product(session, sku)
    if error:
        return _edit_page(request, viewer, session, product, None, FieldErrors(image=error), 422)
    name = f"{secrets.token_hex(12)}{suffix}"
    console.media_dir.mkdir(parents=True, exist_ok=True)
    (console.media_dir / name).write_bytes(data)
    service.update_product(session, product.sku, image_path=name, publisher=ctx.publisher)
    return saved(
        session,
        viewer,
        now,
        "image",
        "product",
        product.sku,
        to=f"/console/products/{sku}?saved=1",
        details={"file": name},
    )


@router.get("/media/{name}")
def media(name: str, viewer: ViewerDep, console: ConsoleDep) -> FileResponse:
    if not name.replace(".", "").isalnum() or name.count(".") != 1 or len(name) > 40:
        raise PageNotFoundError("no such file")
    path = console.media_dir / name
    if not path.is_file():
        raise PageNotFoundError("no such file")
    return FileResponse(path, headers={"X-Content-Type-Options": "nosniff"})


@router.get("/products.csv")
def export_csv(viewer: ViewerDep, session: SessionDep) -> Response:
    viewer.require(Role.MANAGER)
    rows: list[dict[str, Any]] = []
    for p in session.scalars(select(Product).order_by(Product.sku)):
        gtins = sorted(b.gtin for b in p.barcodes)
        rows.append(
            {
                "sku": p.sku,
                "name": p.name,
                "name_zh": p.name_zh,
                "price": p.price,
                "member_price": p.member_price,
                "cost": p.cost,
                "gtin": gtins[0] if gtins else None,
                "category": p.category.code if p.category else None,
                "tax_class": p.tax_class,
                "unit_weight_g": p.unit_weight_g,
                "min_age": p.min_age,
            }
        )
    return Response(
        export_products(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="products.csv"'},
    )


@router.get("/products-import", response_class=HTMLResponse)
def import_form(request: Request, viewer: ViewerDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    return render(request, "import.html", viewer=viewer, result=None, dry_run=True)


@router.post("/products-import", response_class=HTMLResponse)
def import_csv(
    request: Request,
    viewer: ViewerDep,
    form: FormDep,
    ctx: CtxDep,
    session: SessionDep,
    now: NowDep,
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    upload = form.get("file")
    dry_run = form.get("dry_run") is not None
    if not isinstance(upload, UploadFile):
        parsed = ParsedCsv(errors=[RowError("empty")])
    else:
        parsed = parse_products(upload.file.read(2_000_001))
    if not parsed.errors:
        apply_rows(session, parsed.rows, ctx, now)
        if dry_run:
            session.rollback()
        else:
            audit(
                session,
                viewer.principal,
                now,
                "import",
                "product",
                None,
                details={"rows": len(parsed.rows), "errors": len(parsed.bad_rows)},
            )
            session.commit()
    status_code = 422 if parsed.errors else 200
    return render(
        request,
        "import.html",
        viewer=viewer,
        result=parsed,
        dry_run=dry_run,
        status_code=status_code,
    )


def apply_rows(session: Session, rows: list[Row], ctx: CtxDep, now: Any) -> None:
    """Create or update each valid row in its own savepoint; DB-level problems become row
    errors (unknown category, barcode of another product) and the other rows still go in."""
    categories = {c.code: c.id for c in session.scalars(select(Category))}
    taxes = set(session.scalars(select(TaxClass.code)))
    for row in rows:
        if not row.ok:
            row.outcome = "skipped"
            continue
        v = dict(row.values)
        if "category" in v and v["category"] not in categories:
            row.errors.append(RowError("unknown_category", "category"))
        if "tax_class" in v and v["tax_class"] not in taxes:
            row.errors.append(RowError("unknown_tax", "tax_class"))
        gtin = v.pop("gtin", None)
        if gtin is not None:
            owner = repository.by_barcode(session, gtin)
            if owner is not None and owner.sku != v["sku"]:
                row.errors.append(RowError("gtin_taken", "gtin"))
        if row.errors:
            row.outcome = "skipped"
            continue
        sku, category = v.pop("sku"), v.pop("category", None)
        try:
            with session.begin_nested():
                existing = repository.by_sku(session, sku)
                if existing is None:
                    service.create_product(
                        session,
                        sku=sku,
                        category=category,
                        gtins=[gtin] if gtin else [],
                        publisher=ctx.publisher,
                        **v,
                    )
                    row.outcome = "create"
                else:
                    service.update_product(session, sku, publisher=ctx.publisher, **v)
                    if category is not None:
                        existing.category_id = categories[category]
                    if gtin and gtin not in {b.gtin for b in existing.barcodes}:
                        service.add_barcode(session, existing, gtin)
                    row.outcome = "update"
        except CloudError:
            row.errors.append(RowError("rejected"))
            row.outcome = "skipped"
