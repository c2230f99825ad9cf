"""/orders: online orders placed, picked and handed over (staff and managers of the store,
admin and head office everywhere); /pickups: collection by pickup code, also open to a
store's checkout (the kiosk's cashier user, decision 0034)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from cloud.auth.exceptions import PermissionDeniedError
from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import NowDep, Page, PageDep, SessionDep, audit, require_role, store_for
from cloud.orders import service
from cloud.orders.flow import Action
from cloud.orders.models import Order
from cloud.orders.schemas import (
    CollectIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    PickupCode,
    PickupOut,
    ScanIn,
    Status,
)
from cloud.orders.views import detail_out, order_out
from cloud.pricebook.builder import build_pricebook
from cloud.reports.aggregates import add_sales
from cloud.stores import service as stores
from cloud.stores.models import Store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(tags=["orders"])
OrderUser = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF))]
CheckoutUser = Annotated[
    Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF, Role.CASHIER))
]
OrderIdPath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^OR-[0-9A-F]{1,29}$")]


def _store(session: Session, user: Principal, code: str) -> Store:
    """Admin and head office act in every store, the store roles in their own."""
    if user.is_head_office:
        row = stores.find_store(session, code)
        if row is not None:
            return row
    return store_for(session, user, code)


def _order(session: Session, user: Principal, order_id: str) -> Order:
    order = service.get(session, order_id)
    if not (user.is_head_office or user.can_access_store(order.store_id)):
        raise PermissionDeniedError("no access to this order's store")
    return order


def _audit(session: Session, user: Principal, now: Any, action: str, order: Order) -> None:
    details = {"status": order.status, "total": order.total}
    audit(
        session,
        user,
        now,
        action,
        "order",
        order.order_id,
        store_id=order.store_id,
        details=details,
    )


@router.post("/orders", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
def place(body: OrderIn, user: OrderUser, session: SessionDep, now: NowDep) -> OrderOut:
    """Price the lines as a kiosk would now, reserve the stock (409 when not available) and
    record the online payment. The answer carries ``order_id``, ``pickup_code``, ``status``."""
    store = _store(session, user, body.store)
    new = service.NewOrder(
        channel=body.channel,
        fulfilment=body.fulfilment,
        customer=body.customer.model_dump(),
        lines=[(ln.sku, ln.qty) for ln in body.lines],
        payment_ref=body.payment.reference if body.payment else None,
    )
    book = build_pricebook(session, store, 1, now)  # the version is not used to price
    order = service.place(session, store, new, book=book, by=user.username, now=now)
    _audit(session, user, now, "place", order)
    out = order_out(order, store.code, now)
    session.commit()
    return out


@router.get("/orders", response_model=Page[OrderOut])
def list_orders(
    user: OrderUser,
    session: SessionDep,
    page: PageDep,
    now: NowDep,
    store: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    status: Status | None = None,
) -> Page[OrderOut]:
    """Oldest due first; without ``store``, every store the caller may see."""
    if store is not None:
        ids: list[int] | None = [_store(session, user, store).id]
    else:
        ids = None if user.is_head_office else sorted(user.store_ids)
    rows, total = service.page(
        session,
        store_ids=ids,
        statuses=[status] if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    codes = stores.codes(session, {o.store_id for o in rows})
    items = [order_out(o, codes.get(o.store_id, ""), now) for o in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/orders/{order_id}", response_model=OrderDetailOut)
def get_order(
    order_id: OrderIdPath, user: OrderUser, session: SessionDep, now: NowDep
) -> OrderDetailOut:
    """The order with its pick list, sorted by shelf location."""
    order = _order(session, user, order_id)
    return detail_out(session, order, now)


@router.post("/orders/{order_id}/scans", response_model=OrderDetailOut)
def scan(
    order_id: OrderIdPath, body: ScanIn, user: OrderUser, session: SessionDep, now: NowDep
) -> OrderDetailOut:
    """One unit picked by its barcode or SKU; 409 when another person is picking the order."""
    order = _order(session, user, order_id)
    service.scan(session, order, body.code, by=user.username)
    out = detail_out(session, order, now)
    session.commit()
    return out


@router.post("/orders/{order_id}/{action}", response_model=OrderOut)
def act(
    order_id: OrderIdPath, action: Action, user: OrderUser, session: SessionDep, now: NowDep
) -> OrderOut:
    """pick, ready, collect, dispatch, deliver or cancel; 409 when the status does not allow
    it or another person holds the pick."""
    order = _order(session, user, order_id)
    service.act(session, order, action, by=user.username, now=now, on_sale=add_sales)
    _audit(session, user, now, action, order)
    out = order_out(order, stores.codes(session, [order.store_id])[order.store_id], now)
    session.commit()
    return out


@router.get("/pickups/{pickup_code}", response_model=OrderDetailOut)
def pickup(
    pickup_code: Annotated[PickupCode, Path()],
    user: CheckoutUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32)],
) -> OrderDetailOut:
    """The order a shopper's pickup code names in this store (the kiosk shows it)."""
    row = _store(session, user, store)
    return detail_out(session, service.find_by_code(session, row, pickup_code), now)


@router.post("/pickups/{pickup_code}/collect", response_model=PickupOut)
def collect(
    pickup_code: Annotated[PickupCode, Path()],
    body: CollectIn,
    user: CheckoutUser,
    session: SessionDep,
    now: NowDep,
) -> PickupOut:
    """Hand the ready order over: it becomes a sale (the answer's ``sale``, for the receipt)."""
    row = _store(session, user, body.store)
    order = service.collect_by_code(
        session, row, pickup_code, by=user.username, now=now, on_sale=add_sales
    )
    _audit(session, user, now, "collect", order)
    out = PickupOut(order=detail_out(session, order, now), sale=service.sale_of(session, order))
    session.commit()
    return out
