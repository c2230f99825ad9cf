"""Online orders in the store: the board (new, picking, ready, late; refreshed every few
seconds) and the phone pick page (pick list by shelf location, scan or type each item).

Staff and managers of the store, admins and head office. Every action goes through
``cloud.orders.service`` and is audited; a lost race for the pick (two staff on one order)
comes back as the page with the message and a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import CloudError, NotFoundError
from cloud.orders import service
from cloud.orders.exceptions import OrderStateError, PickConflictError
from cloud.orders.flow import ACTIONS, late
from cloud.orders.models import OPEN_STATUSES, Order
from cloud.orders.views import detail_out
from cloud.reports.aggregates import add_sales
from cloud.stores.models import Store
from cloud.web.console import FormDep, Viewer, ViewerDep, render, text
from cloud.web.exceptions import PageNotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
COLUMNS = ("new", "picking", "ready", "late")
BOARD_SIZE = 200


def _store(viewer: Viewer, session: Session, code: str) -> Store:
    viewer.require(Role.STAFF, Role.MANAGER, Role.HQ)
    return viewer.catalogue_store(session, code)


def column_of(order: Order, now: datetime) -> str:
    """The board column: late before anything else, out for delivery with ready."""
    if late(order.status, order.due_at <= now):
        return "late"
    return {"placed": "new", "picking": "picking"}.get(order.status, "ready")


def board(session: Session, store: Store, now: datetime) -> dict[str, list[Order]]:
    rows, _ = service.page(
        session, store_ids=[store.id], statuses=OPEN_STATUSES, limit=BOARD_SIZE, offset=0
    )
    columns: dict[str, list[Order]] = {c: [] for c in COLUMNS}
    for order in rows:
        columns[column_of(order, now)].append(order)
    return columns


@router.get("/orders")
def my_orders(viewer: ViewerDep, session: SessionDep) -> Response:
    """The nav's entry: the viewer's first store."""
    viewer.require(Role.STAFF, Role.MANAGER, Role.HQ)
    return viewer.to_home_store(session, "orders")


@router.get("/s/{code}/orders", response_class=HTMLResponse)
def board_page(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    store = _store(viewer, session, code)
    columns = board(session, store, now)
    return render(
        request, "orders/board.html", viewer=viewer, store=store, columns=columns, now=now
    )


@router.get("/s/{code}/orders/board", response_class=HTMLResponse)
def board_fragment(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    """The columns alone, for the page's periodic refresh."""
    store = _store(viewer, session, code)
    columns = board(session, store, now)
    return render(
        request, "orders/_board.html", viewer=viewer, store=store, columns=columns, now=now
    )


def _order(session: Session, store: Store, order_id: str) -> Order:
    try:
        order = service.get(session, order_id[:32])
    except CloudError as exc:
        raise PageNotFoundError(str(exc)) from exc
    if order.store_id != store.id:
        raise PageNotFoundError("no such order in this store")
    return order


def _pick_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    store: Store,
    order: Order,
    now: datetime,
    **extra: Any,
) -> HTMLResponse:
    detail = detail_out(session, order, now)
    done = all(ln.picked >= ln.qty for ln in detail.lines)
    return render(
        request,
        "orders/pick.html",
        viewer=viewer,
        store=store,
        order=detail,
        all_picked=done,
        mine=order.picker in (None, viewer.principal.username),
        **extra,
    )


def _message(viewer: Viewer, exc: CloudError, order: Order) -> str:
    """The refusal in the viewer's language."""
    if isinstance(exc, PickConflictError):
        return viewer.t("orders.err.conflict", picker=order.picker or "—")
    if isinstance(exc, NotFoundError):
        return viewer.t("orders.err.unknown_code")
    if isinstance(exc, OrderStateError) and exc.reason != "state":
        return viewer.t("orders.err." + exc.reason)
    return viewer.t("orders.err.state", status=viewer.t("orders.status." + order.status))


@router.get("/s/{code}/orders/{order_id}", response_class=HTMLResponse)
def pick_page(
    code: str,
    order_id: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
) -> HTMLResponse:
    store = _store(viewer, session, code)
    return _pick_page(request, viewer, session, store, _order(session, store, order_id), now)


@router.post("/s/{code}/orders/{order_id}", response_class=HTMLResponse)
def pick_action(
    code: str,
    order_id: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    form: FormDep,
    now: NowDep,
) -> Response:
    """``action`` = scan (with ``code``) or one of the order actions. A refused action shows
    the page again with the reason (409), nothing changed."""
    store = _store(viewer, session, code)
    order = _order(session, store, order_id)
    action = text(form, "action", 16)
    me = viewer.principal.username
    try:
        if action == "scan":
            line = service.scan(session, order, text(form, "code", 64), by=me)
            note = viewer.t("orders.scanned", name=line.name)
        elif action in ACTIONS:
            service.act(session, order, action, by=me, now=now, on_sale=add_sales)
            audit(
                session, viewer.principal, now, action, "order", order.order_id, store_id=store.id
            )
            note = viewer.t("orders.done." + action)
        else:
            raise PageNotFoundError("unknown action")
    except CloudError as exc:
        session.rollback()
        fresh = _order(session, store, order_id)
        error = _message(viewer, exc, fresh)
        return _pick_page(request, viewer, session, store, fresh, now, error=error, status_code=409)
    session.commit()
    return _pick_page(request, viewer, session, store, order, now, note=note)
