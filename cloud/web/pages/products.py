"""Products: search, create/edit, image upload; CSV in ``product_csv``, a store's own prices in
``store_prices`` (both included here).

The catalogue is head office's: admins and ``hq`` edit it, managers see it read-only and set
their store's prices. Writes go through ``cloud.products.service`` (which tells the price book
publisher) and are audited in the same transaction.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep
from cloud.exceptions import CloudError, ConflictError, NotFoundError, ValidationFailedError
from cloud.products import service
from cloud.products.gtin import normalize_gtin
from cloud.products.models import Product
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
from cloud.web.exceptions import PageNotFoundError
from cloud.web.forms import refused, saved
from cloud.web.pages import product_csv, store_prices

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
router.include_router(product_csv.router)
router.include_router(store_prices.router)
PAGE = 50
MAX_IMAGE = 2_000_000
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"RIFF": ".webp"}


def _search(session: Session, q: str, offset: int) -> list[Product]:
    return service.console_search(session, q, PAGE, offset)


def _choices(session: Session) -> dict[str, Any]:
    return {
        "categories": service.categories(session),
        "tax_classes": service.tax_classes(session),
    }


@router.get("/products", response_class=HTMLResponse)
def products(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
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
    viewer.require(Role.HQ)
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
    viewer.require(Role.HQ)
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
    product = service.find_product(session, sku[:64])
    if product is None:
        raise PageNotFoundError(f"product {sku!r} not found")
    return product


@router.get("/products/{sku}", response_class=HTMLResponse)
def edit_product_form(
    sku: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER, Role.HQ)
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
    viewer.require(Role.HQ)
    product = _product(session, sku)
    errors = FieldErrors()
    values = _form_values(form, errors, viewer)
    gtins = _gtins(form, errors, viewer)
    category = text(form, "category", 64)
    cat = service.find_category(session, category) if category else None
    if category and cat is None:
        errors["category"] = viewer.t("err.unknown")
    if service.tax_class(session, values["tax_class"]) is None:
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
    viewer.require(Role.HQ)
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
