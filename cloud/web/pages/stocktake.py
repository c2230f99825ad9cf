"""Stocktake sheets (盘点): a sheet of products with their system stock, counted by staff.

A row left empty is not counted. A row whose count differs from the ledger at the moment of
saving needs a variance reason; one bad row keeps the whole sheet unsaved, with the message
next to that row, so a count is never half recorded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from cloud.deps import NowDep, SessionDep
from cloud.inventory import service
from cloud.products import service as catalogue
from cloud.products.models import Product
from cloud.stores.models import Store
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, decimal_field, render, text
from cloud.web.pages.inventory import MAX_QTY, _audit, find_product, open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
SHEET = 50
REASONS = ("miscount", "damaged", "expired", "theft", "supplier_short", "found", "other")


def _sheet(session: Session, store: Store, q: str, category: str) -> list[tuple[str, str, Decimal]]:
    """(sku, name, system stock) for the products the sheet covers, by SKU."""
    products = catalogue.active_search(session, q, category, SHEET)
    stock = service.on_hand_by_product(session, store.id)
    return [(p.sku, p.name, stock.get(p.id, Decimal(0))) for p in products]


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    rows: list[tuple[str, str, Decimal]],
    q: str,
    category: str,
    form: FormData | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    categories = catalogue.categories(session)
    return render(
        request,
        "inventory/stocktake.html",
        viewer=viewer,
        store=store,
        tab="stocktake",
        rows=rows,
        q=q,
        category=category,
        categories=categories,
        reasons=REASONS,
        form=form,
        errors=errors or FieldErrors(),
        status_code=status_code,
    )


@router.get("/s/{code}/inventory/stocktake", response_class=HTMLResponse)
def sheet(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    rows = _sheet(session, store, q.strip(), category.strip())
    return _page(request, viewer, session, store, rows, q, category)


def _counted(
    session: Session, store: Store, form: FormData, errors: FieldErrors, viewer: Viewer
) -> list[tuple[Product, Decimal, str]]:
    """Counted rows as (product, counted, reason); errors keyed ``counted_i``/``reason_i``."""
    out: list[tuple[Product, Decimal, str]] = []
    for i in range(SHEET):
        sku = text(form, f"sku_{i}", 64)
        if not sku:
            continue
        counted = decimal_field(
            form, f"counted_{i}", errors, viewer.t, required=False, maximum=MAX_QTY, places=3
        )
        if counted is None:
            continue
        product = find_product(session, sku)
        if product is None:
            errors[f"counted_{i}"] = viewer.t("invp.unknown_product", code=sku)
            continue
        reason = text(form, f"reason_{i}", 32)
        variance = counted - service.on_hand(session, store.id, product.id)
        if variance != 0 and reason not in REASONS:
            errors[f"reason_{i}"] = viewer.t("invp.reason_needed")
            continue
        out.append((product, counted, reason if variance != 0 else "stocktake"))
    return out


@router.post("/s/{code}/inventory/stocktake", response_model=None)
def record(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    store = open_store(viewer, session, code)
    errors = FieldErrors()
    counts = _counted(session, store, form, errors, viewer)
    if not counts and not errors:
        errors["sheet"] = viewer.t("invp.nothing_counted")
    if errors:
        rows: list[tuple[str, str, Decimal]] = []
        for i in range(SHEET):
            sku = text(form, f"sku_{i}", 64)
            if not sku:
                break
            product = find_product(session, sku)
            if product is None:
                rows.append((sku, "", Decimal(0)))
            else:
                rows.append(
                    (product.sku, product.name, service.on_hand(session, store.id, product.id))
                )
        q, category = text(form, "q", 100), text(form, "category", 64)
        return _page(request, viewer, session, store, rows, q, category, form, errors, 422)
    for product, counted, reason in counts:
        m = service.stocktake(
            session,
            store_id=store.id,
            product_id=product.id,
            counted=counted,
            now=now,
            reason=reason,
        )
        m.reference = f"stocktake by {viewer.principal.username}"
        _audit(session, viewer, now, m, product.sku)
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/inventory/movements?kind=stocktake&done={len(counts)}",
        status_code=303,
    )
