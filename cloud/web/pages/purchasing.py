"""Purchase orders in the console: a store's orders, one order with its actions (approve,
send, cancel, close), ordering from the reorder suggestions, and the receiving page a phone
opens at the back door: scan or type the order number, then each item's barcode (or type the
counts), and book the delivery.

Staff and managers of the store (and admins) open these; head office (hq) reads and approves
any store's orders. Every write goes through ``cloud.purchasing.service`` and is audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.auth.models import Role
from cloud.deps import CtxDep, NowDep, SessionDep, audit
from cloud.exceptions import CloudError
from cloud.purchasing.models import PurchaseOrder
from cloud.purchasing.service import orders, receiving, view
from cloud.web.console import FieldErrors, FormDep, Viewer, ViewerDep, decimal_field, render, text
from cloud.web.exceptions import PageNotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cloud.stores.models import Store

router = APIRouter(prefix="/console")
PAGE = 50
MAX_QTY = Decimal("99999999")
ACTIONS = ("approve", "send", "cancel", "close")


def _store(viewer: Viewer, session: Session, code: str, *roles: Role) -> Store:
    viewer.require(*(roles or (Role.STAFF, Role.MANAGER, Role.HQ)))
    return viewer.catalogue_store(session, code)


def _order(session: Session, store: Store, number: str) -> PurchaseOrder:
    try:
        order = orders.get(session, number[:20])
    except CloudError:
        order = None
    if order is None or order.store_id != store.id:
        raise PageNotFoundError(f"no order {number!r} in {store.code}")
    return order


def _audit(session: Session, viewer: Viewer, now: Any, order: PurchaseOrder, action: str) -> None:
    audit(
        session,
        viewer.principal,
        now,
        action,
        "purchase_order",
        order.number,
        store_id=order.store_id,
    )


@router.get("/purchase-orders")
def my_orders(viewer: ViewerDep, session: SessionDep) -> Response:
    """The nav's entry: the viewer's first store's orders."""
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "purchase-orders")


@router.get("/s/{code}/purchase-orders", response_class=HTMLResponse)
def order_list(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> HTMLResponse:
    store = _store(viewer, session, code)
    rows, total = orders.page(session, [store.id], limit=PAGE, offset=offset)
    views = [view.view(session, r) for r in rows]
    made = request.query_params.get("made", "")[:6]
    return render(
        request,
        "purchasing/orders.html",
        viewer=viewer,
        store=store,
        rows=views,
        total=total,
        offset=offset,
        page=PAGE,
        made=made,
        unsourced=request.query_params.get("unsourced", "")[:6],
    )


@router.post("/s/{code}/purchase-orders/from-reorder", response_model=None)
def from_reorder(
    code: str, viewer: ViewerDep, session: SessionDep, now: NowDep, form: FormDep
) -> Response:
    """One draft per supplier from today's reorder suggestions (managers)."""
    store = _store(viewer, session, code, Role.MANAGER)
    made = orders.from_reorder(session, store, now=now, by=viewer.principal.username)
    for order in made.orders:
        _audit(session, viewer, now, order, "create")
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/purchase-orders?made={len(made.orders)}"
        f"&unsourced={len(made.unsourced)}",
        status_code=303,
    )


@router.get("/s/{code}/purchase-orders/{number}", response_class=HTMLResponse)
def order_page(
    code: str, number: str, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    store = _store(viewer, session, code)
    order = _order(session, store, number)
    return _order_view(request, viewer, session, store, order)


def _order_view(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    order: PurchaseOrder,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    role = viewer.role.value
    allowed = {
        "approve": role in ("admin", "hq", "manager"),
        "send": role in ("admin", "manager"),
        "cancel": role in ("admin", "manager"),
        "close": role in ("admin", "manager"),
    }
    return render(
        request,
        "purchasing/order.html",
        viewer=viewer,
        store=store,
        v=view.view(session, order),
        open_qty=orders.open_qty,
        allowed=allowed,
        problem=problem,
        done=request.query_params.get("done", "")[:20],
        status_code=status_code,
    )


@router.post("/s/{code}/purchase-orders/{number}/{action}", response_model=None)
def order_action(
    code: str,
    number: str,
    action: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    ctx: CtxDep,
    form: FormDep,
) -> Response:
    if action not in ACTIONS:
        raise PageNotFoundError(f"no action {action!r}")
    roles = (Role.MANAGER, Role.HQ) if action == "approve" else (Role.MANAGER,)
    store = _store(viewer, session, code, *roles)
    order = _order(session, store, number)
    try:
        if action == "approve":
            p = viewer.principal
            orders.approve(session, order, role=p.role, by=p.username, now=now)
        elif action == "send":
            view.send(session, order, ctx.notifier, now)
        elif action == "cancel":
            orders.cancel(session, order, now)
        else:
            orders.close(session, order, now)
    except CloudError as exc:
        session.rollback()
        order = _order(session, store, number)
        problem = viewer.t("po.refused", reason=str(exc))
        return _order_view(request, viewer, session, store, order, problem, 409)
    _audit(session, viewer, now, order, action)
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/purchase-orders/{order.number}?done={action}", status_code=303
    )


@router.get("/s/{code}/receive", response_class=HTMLResponse)
def receive_page(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    po: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """Step one: the order number (scanned or typed); step two: its lines to count."""
    store = _store(viewer, session, code, Role.STAFF, Role.MANAGER)
    number = po.strip().upper()
    if not number:
        return _receive_view(request, viewer, session, store, None)
    try:
        order = _order(session, store, number)
    except PageNotFoundError:
        err = FieldErrors(po=viewer.t("po.unknown", number=number))
        return _receive_view(request, viewer, session, store, None, errors=err, status_code=404)
    return _receive_view(request, viewer, session, store, order)


def _receive_view(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    order: PurchaseOrder | None,
    *,
    form: Any = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "purchasing/receive.html",
        viewer=viewer,
        store=store,
        v=None if order is None else view.view(session, order),
        open_qty=orders.open_qty,
        form=form,
        errors=errors or FieldErrors(),
        done=request.query_params.get("done", "")[:20],
        status_code=status_code,
    )


def _counts(
    form: Any, v: view.OrderView, errors: FieldErrors, viewer: Viewer
) -> list[receiving.Count]:
    """The form's counts per line; an over-delivery or damage without a reason is an error at
    that line's reason field."""
    out = []
    t = viewer.t
    for lv in v.lines:
        n = lv.line.line_no
        good = decimal_field(form, f"qty_{n}", errors, t, required=False, maximum=MAX_QTY, places=3)
        bad = decimal_field(
            form, f"damaged_{n}", errors, t, required=False, maximum=MAX_QTY, places=3
        )
        good, bad = good or Decimal(0), bad or Decimal(0)
        if good + bad == 0:
            continue
        reason = text(form, f"reason_{n}", 200)
        if not reason and good + bad > orders.open_qty(lv.line):
            errors[f"reason_{n}"] = t("po.over_reason")
        elif not reason and bad > 0:
            errors[f"reason_{n}"] = t("po.damaged_reason")
        out.append(receiving.Count(n, good, bad, reason))
    if not out and not errors:
        errors["lines"] = t("po.count_something")
    return out


@router.post("/s/{code}/receive/{number}", response_model=None)
def receive(
    code: str,
    number: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    store = _store(viewer, session, code, Role.STAFF, Role.MANAGER)
    order = _order(session, store, number)
    v = view.view(session, order)
    errors = FieldErrors()
    counts = _counts(form, v, errors, viewer)
    if not errors:
        try:
            receiving.receive(session, order, counts, by=viewer.principal.username, now=now)
        except CloudError as exc:
            session.rollback()
            order = _order(session, store, number)
            errors["lines"] = viewer.t("po.refused", reason=str(exc))
    if errors:
        return _receive_view(
            request, viewer, session, store, order, form=form, errors=errors, status_code=422
        )
    _audit(session, viewer, now, order, "receive")
    session.commit()
    return RedirectResponse(
        f"/console/s/{store.code}/receive?po={order.number}&done={order.status}", status_code=303
    )
