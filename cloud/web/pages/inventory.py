"""Inventory of one store: stock per product and per shelf lane, receiving, transfers between
stores (调拨), movement history with filters and the shelf-vs-system reconciliation. The
stocktake sheet (盘点) lives in :mod:`cloud.web.pages.stocktake`.

Staff and managers of the store (and admins) may open these pages; every write goes through
``cloud.inventory.service`` and is audited in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.inventory import service
from cloud.inventory.exceptions import InsufficientStockError
from cloud.inventory.models import MOVEMENT_KINDS, Movement
from cloud.inventory.reconcile import SHRINK_AFTER
from cloud.orders import service as orders
from cloud.products import service as products
from cloud.products.models import Product
from cloud.stores import service as stores
from cloud.stores.models import Store
from cloud.web.console import (
    FieldErrors,
    FormDep,
    Viewer,
    ViewerDep,
    decimal_field,
    render,
    text,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
PAGE = 50
MAX_QTY = Decimal("99999999")


def find_product(session: Session, code: str) -> Product | None:
    """A product by SKU, else by barcode (any GTIN form the scanner gives)."""
    if not code or "\x00" in code:
        return None
    return products.find_by_code(session, code)


def open_store(viewer: Viewer, session: Session, code: str) -> Store:
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.store(session, code)


def product_field(
    session: Session, form: Any, errors: FieldErrors, viewer: Viewer, name: str = "sku"
) -> Product | None:
    raw = text(form, name, 64)
    if not raw:
        errors[name] = viewer.t("err.required")
        return None
    product = find_product(session, raw)
    if product is None:
        errors[name] = viewer.t("invp.unknown_product", code=raw)
    return product


def parse_day(raw: str, errors: FieldErrors, viewer: Viewer, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        errors[name] = viewer.t("err.date")
        return None


def _audit(session: Session, viewer: Viewer, now: datetime, m: Movement, sku: str) -> None:
    audit(
        session,
        viewer.principal,
        now,
        m.kind,
        "inventory",
        m.id,
        store_id=m.store_id,
        details={"sku": sku, "qty": m.qty, "reference": m.reference, "reason": m.reason},
    )


@router.get("/inventory")
def my_inventory(viewer: ViewerDep, session: SessionDep) -> Response:
    """The nav's entry: the viewer's first store (admins: the first store of the chain)."""
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "inventory")


@router.get("/s/{code}/inventory", response_class=HTMLResponse)
def stock(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    rows = service.stock_levels(session, store.id, q.strip(), PAGE, offset)
    reserved = orders.reserved(session, store.id)  # held by open online orders
    lanes = service.lanes(session, store.id)
    shelf: dict[str, int] = {}
    for lane in lanes:
        shelf[lane.sku] = shelf.get(lane.sku, 0) + lane.count
    return render(
        request,
        "inventory/stock.html",
        viewer=viewer,
        store=store,
        tab="stock",
        rows=rows,
        reserved=reserved,
        lanes=lanes,
        shelf=shelf,
        q=q,
        offset=offset,
        page=PAGE,
    )


def _qty_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    template: str,
    form: Any,
    errors: FieldErrors,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    targets = [s for s in stores.list_stores(session) if s.id != store.id]
    return render(
        request,
        template,
        viewer=viewer,
        store=store,
        tab=template.split("/")[-1].removesuffix(".html"),
        form=form,
        errors=errors,
        targets=targets,
        status_code=status_code,
        **extra,
    )


@router.get("/s/{code}/inventory/receive", response_class=HTMLResponse)
def receive_form(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    done = request.query_params.get("done", "")[:20]
    return _qty_page(
        request, viewer, session, store, "inventory/receive.html", None, FieldErrors(), done=done
    )


@router.post("/s/{code}/inventory/receive", response_model=None)
def receive(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    store = open_store(viewer, session, code)
    errors = FieldErrors()
    product = product_field(session, form, errors, viewer)
    t = viewer.t
    qty = decimal_field(form, "qty", errors, t, minimum=Decimal("0.001"), maximum=MAX_QTY, places=3)
    cost = decimal_field(form, "unit_cost", errors, t, required=False, maximum=Decimal("9999999"))
    if errors or product is None or qty is None:
        return _qty_page(
            request, viewer, session, store, "inventory/receive.html", form, errors, 422
        )
    m = service.move(
        session,
        store_id=store.id,
        product_id=product.id,
        kind="receiving",
        qty=qty,
        now=now,
        unit_cost=cost,
        reference=text(form, "reference", 200),
    )
    _audit(session, viewer, now, m, product.sku)
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/inventory/receive?done={m.id}", status_code=303
    )


@router.get("/s/{code}/inventory/transfer", response_class=HTMLResponse)
def transfer_form(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    done = request.query_params.get("done", "")[:20]
    return _qty_page(
        request, viewer, session, store, "inventory/transfer.html", None, FieldErrors(), done=done
    )


@router.post("/s/{code}/inventory/transfer", response_model=None)
def transfer(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    """Out of this store (in scope) into another existing store; no more than is on hand."""
    store = open_store(viewer, session, code)
    errors = FieldErrors()
    t = viewer.t
    product = product_field(session, form, errors, viewer)
    qty = decimal_field(form, "qty", errors, t, minimum=Decimal("0.001"), maximum=MAX_QTY, places=3)
    target_code = text(form, "to_store", 32)
    target = stores.find_store(session, target_code)
    if target is None or target.id == store.id:
        errors["to_store"] = t("invp.bad_target")
    out_m = in_m = None
    if not errors and product is not None and qty is not None and target is not None:
        try:  # the API's rule, from the one service
            out_m, in_m = service.transfer(
                session,
                from_store=store,
                to_store=target.id,
                product_id=product.id,
                qty=qty,
                now=now,
                reference=text(form, "reference", 200),
            )
        except InsufficientStockError:
            errors["qty"] = t("err.stock")
    if errors or product is None or out_m is None or in_m is None:
        return _qty_page(
            request, viewer, session, store, "inventory/transfer.html", form, errors, 422
        )
    _audit(session, viewer, now, out_m, product.sku)
    _audit(session, viewer, now, in_m, product.sku)
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/inventory/transfer?done={out_m.id}", status_code=303
    )


@router.get("/s/{code}/inventory/movements", response_class=HTMLResponse)
def movements(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    params = request.query_params
    f = {k: params.get(k, "")[:64].strip() for k in ("kind", "sku", "from", "to")}
    errors = FieldErrors()
    kind = f["kind"] if f["kind"] in MOVEMENT_KINDS else None
    if f["kind"] and kind is None:
        errors["kind"] = viewer.t("err.unknown")
    product = None
    if f["sku"]:
        product = find_product(session, f["sku"])
        if product is None:
            errors["sku"] = viewer.t("invp.unknown_product", code=f["sku"])
    first = parse_day(f["from"], errors, viewer, "from")
    last = parse_day(f["to"], errors, viewer, "to")
    rows: list[Movement] = []
    if not errors:
        rows = service.movements(
            session,
            store.id,
            kind=kind,
            product_id=product.id if product else None,
            since=datetime.combine(first, time.min, tzinfo=UTC) if first else None,
            until=datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
            if last and last < date.max
            else None,
            limit=PAGE,
            offset=offset,
        )
    ids = {m.product_id for m in rows if m.product_id is not None}
    skus = products.skus_by_id(session, ids)
    return render(
        request,
        "inventory/movements.html",
        viewer=viewer,
        store=store,
        tab="movements",
        rows=rows,
        skus=skus,
        f=f,
        kinds=MOVEMENT_KINDS,
        errors=errors,
        offset=offset,
        page=PAGE,
        status_code=422 if errors else 200,
    )


@router.get("/s/{code}/inventory/reconcile", response_class=HTMLResponse)
def reconcile(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    store = open_store(viewer, session, code)
    verdicts = service.reconciliation(session, store.id, now)
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.action] = counts.get(v.action, 0) + 1
    return render(
        request,
        "inventory/reconcile.html",
        viewer=viewer,
        store=store,
        tab="reconcile",
        verdicts=verdicts,
        counts=counts,
        shrink_hours=int(SHRINK_AFTER.total_seconds() // 3600),
        now=now,
    )
