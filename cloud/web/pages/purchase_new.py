"""A purchase order by hand: a supplier and up to eight lines (SKU or scanned barcode and
units); the supplier's cost and pack size are taken for each line. Staff and managers of the
store; the order starts as a draft a manager approves."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import CloudError
from cloud.purchasing.service import orders
from cloud.suppliers import service as suppliers
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, decimal_field, render, text
from cloud.web.pages.inventory import find_product

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.stores.models import Store

router = APIRouter(prefix="/console")
ROWS = 8


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    form: Any = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    active = [s for s in suppliers.all_suppliers(session) if s.active]
    return render(
        request,
        "purchasing/new.html",
        viewer=viewer,
        store=store,
        suppliers=active,
        rows=range(ROWS),
        form=form,
        errors=errors or FieldErrors(),
        status_code=status_code,
    )


@router.get("/s/{code}/purchase-orders/new", response_class=HTMLResponse)
def new_order(code: str, request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    return _page(request, viewer, session, viewer.store(session, code))


def _lines(session: Session, form: Any, errors: FieldErrors, viewer: Viewer) -> list[orders.LineIn]:
    out = []
    for i in range(ROWS):
        raw = text(form, f"sku_{i}", 64)
        if not raw:
            continue
        product = find_product(session, raw)
        if product is None:
            errors[f"sku_{i}"] = viewer.t("invp.unknown_product", code=raw)
        qty = decimal_field(
            form,
            f"qty_{i}",
            errors,
            viewer.t,
            minimum=Decimal("0.001"),
            maximum=Decimal(10**8),
            places=3,
        )
        if product is not None and qty is not None:
            out.append(orders.LineIn(product.id, qty))
    if not out and not errors:
        errors["sku_0"] = viewer.t("err.required")
    return out


@router.post("/s/{code}/purchase-orders/new", response_model=None)
def create_order(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    errors = FieldErrors()
    supplier = suppliers.find(session, text(form, "supplier", 32))
    if supplier is None:
        errors["supplier"] = viewer.t("err.required")
    wanted = _lines(session, form, errors, viewer)
    if not errors and supplier is not None:
        try:
            order = orders.create(
                session, store, supplier, wanted, now=now, by=viewer.principal.username,
                note=text(form, "note", 500),
            )  # fmt: skip
        except CloudError as exc:
            session.rollback()
            errors["supplier"] = viewer.t("po.refused", reason=str(exc))
    if errors:
        return _page(request, viewer, session, store, form, errors, 422)
    p = viewer.principal
    audit(session, p, now, "create", "purchase_order", order.number, store_id=store.id)
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/purchase-orders/{order.number}", status_code=303
    )
