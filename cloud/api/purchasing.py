"""/purchase-orders: orders to suppliers per store, same store rules as inventory (staff and
managers of the store, admins); head office (hq) reads and approves orders of every store.
Managers approve within head office's limit, send, cancel, close, return and pay."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.deps import (
    CtxDep,
    ManagerUser,
    NowDep,
    Page,
    PageDep,
    SessionDep,
    StaffUser,
    audit,
    check_store_id,
    require_role,
    scope_store_ids,
    store_for,
)
from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.purchasing import documents
from cloud.purchasing.models import PurchaseOrder
from cloud.purchasing.schemas import (
    FromReorderIn,
    FromReorderOut,
    LimitIn,
    LimitOut,
    OrderIn,
    OrderOut,
    PayableOut,
    PaymentIn,
    ReceiptIn,
    ReturnIn,
    SentOut,
)
from cloud.purchasing.service import limits, orders, payables, receiving, reports, view
from cloud.purchasing.shaping import counts_of, lines_of, order_out
from cloud.reports.render import Format, respond
from cloud.reports.schemas import ReportOut
from cloud.stores import service as stores
from cloud.stores.localtime import local_today, zone
from cloud.stores.models import Store
from cloud.suppliers import service as suppliers

router = APIRouter(prefix="/purchase-orders", tags=["purchase-orders"])
Reader = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER, Role.STAFF))]
Approver = Annotated[Principal, Depends(require_role(Role.HQ, Role.MANAGER))]
LimitSetter = Annotated[
    Principal, Depends(require_role(Role.HQ, why="the approval limit is set by head office"))
]
Number = Annotated[str, Path(pattern=r"^PO\d{8}$", description="Order number, e.g. PO00000042")]
StoreQ = Annotated[str | None, Query(max_length=32, description="Store code")]
Status = Literal[
    "draft", "approved", "sent", "partially_received", "received", "closed", "cancelled"
]


def _order(session: SessionDep, user: Principal, number: str) -> PurchaseOrder:
    """The order if the caller may see its store (head office sees every store's)."""
    order = orders.get(session, number)
    if not user.is_head_office:
        check_store_id(user, order.store_id)
    return order


def _full(session: SessionDep, order: PurchaseOrder) -> OrderOut:
    return order_out(view.view(session, order), with_lines=True)


def _done(
    session: SessionDep, user: Principal, now: NowDep, order: PurchaseOrder, action: str
) -> OrderOut:
    audit(session, user, now, action, "purchase_order", order.number, store_id=order.store_id)
    out = _full(session, order)
    session.commit()
    return out


@router.get("", response_model=Page[OrderOut])
def list_orders(
    user: Reader,
    session: SessionDep,
    page: PageDep,
    store: StoreQ = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    supplier: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[OrderOut]:
    """Newest first; a store's own roles see their stores, head office and admins all."""
    if user.is_head_office:
        ids = None if store is None else [_store(session, store).id]
    else:
        ids = scope_store_ids(session, user, store)
    sid = None if supplier is None else suppliers.get(session, supplier).id
    rows, total = orders.page(
        session, ids, status=status_, supplier_id=sid, limit=page.limit, offset=page.offset
    )
    items = [order_out(view.view(session, r)) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def _store(session: SessionDep, code: str) -> Store:
    row = stores.find_store(session, code)
    if row is None:
        raise NotFoundError(f"store {code!r} not found")
    return row


@router.post("", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
def create_order(body: OrderIn, user: StaffUser, session: SessionDep, now: NowDep) -> OrderOut:
    """A draft by hand; a line without a cost takes the supplier's."""
    store = store_for(session, user, body.store)
    supplier = suppliers.get(session, body.supplier)
    wanted = lines_of(session, body.lines)
    order = orders.create(
        session, store, supplier, wanted, now=now, by=user.username, note=body.note
    )
    return _done(session, user, now, order, "create")


@router.post("/from-reorder", response_model=FromReorderOut, status_code=201)
def from_reorder(
    body: FromReorderIn, user: ManagerUser, session: SessionDep, now: NowDep
) -> FromReorderOut:
    """One draft per supplier from the store's reorder suggestions, rounded to each item's
    minimum and pack size. Open orders count as on order, so asking twice adds nothing."""
    store = store_for(session, user, body.store)
    made = orders.from_reorder(
        session,
        store,
        now=now,
        by=user.username,
        lead_days=body.lead_days,
        service_level=float(body.service_level),
    )
    for order in made.orders:
        audit(session, user, now, "create", "purchase_order", order.number, store_id=store.id)
    out = FromReorderOut(orders=[_full(session, o) for o in made.orders], unsourced=made.unsourced)
    session.commit()
    return out


@router.get("/approval-limit", response_model=LimitOut)
def get_limit(user: Approver, session: SessionDep) -> LimitOut:
    """Above this total a manager's order waits for head office's approval."""
    cur = limits.current(session)
    return LimitOut(
        manager_max_amount=cur.manager_max_amount,
        updated_at=cur.updated_at,
        updated_by=cur.updated_by,
    )


@router.put("/approval-limit", response_model=LimitOut)
def set_limit(body: LimitIn, user: LimitSetter, session: SessionDep, now: NowDep) -> LimitOut:
    cur = limits.save(session, body.manager_max_amount, now=now, by=user.username)
    audit(
        session,
        user,
        now,
        "update",
        "purchase_limits",
        1,
        details={"max": str(body.manager_max_amount)},
    )
    session.commit()
    return LimitOut(
        manager_max_amount=cur.manager_max_amount,
        updated_at=cur.updated_at,
        updated_by=cur.updated_by,
    )


@router.get("/payables", response_model=list[PayableOut])
def list_payables(
    user: ManagerUser, session: SessionDep, now: NowDep, store: StoreQ = None
) -> list[PayableOut]:
    """Per supplier: received (net of returns), paid, balance, and what is due by its terms."""
    ids = scope_store_ids(session, user, store)
    tz = stores.common_zone_of(session, ids)
    rows = payables.payables(session, ids, local_today(tz, now))
    return [
        PayableOut(
            supplier=p.supplier,
            name=p.name,
            received=p.received,
            paid=p.paid,
            balance=p.balance,
            due=p.due,
            next_due_on=p.next_due_on,
        )
        for p in rows
    ]


@router.get("/supplier-performance", response_model=ReportOut)
def supplier_performance(
    request: Request,
    user: ManagerUser,
    session: SessionDep,
    store: Annotated[str, Query(max_length=32, description="Store code")],
    from_: Annotated[date, Query(alias="from", description="First local day (order created)")],
    to: Annotated[date, Query(description="Last local day (inclusive)")],
    format: Annotated[Format, Query(description="json, csv, svg (chart) or html")] = "json",
) -> Response:
    """Per supplier over the orders created in the period: on-time deliveries (by the
    expected date), average days late, fill rate of finished orders, and spend."""
    if to < from_ or (to - from_).days > 366 or from_.year < 1901 or to.year > 9000:
        raise ValidationFailedError(
            "'to' must be on or after 'from', at most 366 days later, years 1901 to 9000"
        )
    st = store_for(session, user, store)
    rep = reports.supplier_report(session, [st.id], from_, to, zone(st.timezone))
    rep.params |= {"store": store}
    return respond(rep, format, "?" + request.url.include_query_params(format="csv").query)


@router.get("/{number}", response_model=OrderOut)
def get_order(number: Number, user: Reader, session: SessionDep) -> OrderOut:
    return _full(session, _order(session, user, number))


@router.get("/{number}/pdf")
def order_pdf(number: Number, user: Reader, session: SessionDep) -> Response:
    doc = view.document(session, _order(session, user, number))
    return Response(
        documents.to_pdf(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


@router.get("/{number}/csv")
def order_csv(number: Number, user: Reader, session: SessionDep) -> Response:
    doc = view.document(session, _order(session, user, number))
    return Response(
        documents.to_csv(doc),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{number}.csv"'},
    )


@router.post("/{number}/approve", response_model=OrderOut)
def approve(number: Number, user: Approver, session: SessionDep, now: NowDep) -> OrderOut:
    """A manager up to the approval limit (403 above it); head office at any amount."""
    order = _order(session, user, number)
    orders.approve(session, order, role=user.role, by=user.username, now=now)
    return _done(session, user, now, order, "approve")


@router.post("/{number}/send", response_model=SentOut)
def send(
    number: Number, user: ManagerUser, session: SessionDep, now: NowDep, ctx: CtxDep
) -> SentOut:
    """Sent: mailed to the supplier with its lines as CSV; the PDF and CSV are at
    ``/pdf`` and ``/csv``. The expected date is today plus the supplier's lead time."""
    order = _order(session, user, number)
    mailed = view.send(session, order, ctx.notifier, now)
    out = _done(session, user, now, order, "send")
    return SentOut(**out.model_dump(), mailed=mailed)


@router.post("/{number}/cancel", response_model=OrderOut)
def cancel(number: Number, user: ManagerUser, session: SessionDep, now: NowDep) -> OrderOut:
    """Before anything arrived; its on-order quantity is released."""
    order = _order(session, user, number)
    orders.cancel(session, order, now)
    return _done(session, user, now, order, "cancel")


@router.post("/{number}/close", response_model=OrderOut)
def close(number: Number, user: ManagerUser, session: SessionDep, now: NowDep) -> OrderOut:
    """Nothing more is expected (a short delivery accepted); releases what was open."""
    order = _order(session, user, number)
    orders.close(session, order, now)
    return _done(session, user, now, order, "close")


@router.post("/{number}/receipts", response_model=OrderOut, status_code=201)
def receive(
    number: Number, body: ReceiptIn, user: StaffUser, session: SessionDep, now: NowDep
) -> OrderOut:
    """One delivery: per line (by number or by scanned code) good and damaged units; more
    than is open, or damaged units, need a reason (422)."""
    order = _order(session, user, number)
    receiving.receive(
        session, order, counts_of(session, order, body.lines), by=user.username, now=now
    )
    return _done(session, user, now, order, "receive")


@router.post("/{number}/returns", response_model=OrderOut, status_code=201)
def return_goods(
    number: Number, body: ReturnIn, user: ManagerUser, session: SessionDep, now: NowDep
) -> OrderOut:
    """Received units sent back to the supplier: out of stock, off what is owed."""
    order = _order(session, user, number)
    receiving.return_to_supplier(
        session, order, body.line_no, body.qty, body.reason, by=user.username, now=now
    )
    return _done(session, user, now, order, "return")


@router.post("/{number}/payments", response_model=OrderOut, status_code=201)
def pay(
    number: Number, body: PaymentIn, user: ManagerUser, session: SessionDep, now: NowDep
) -> OrderOut:
    """A payment to the supplier against this order, at most what is still owed."""
    order = _order(session, user, number)
    payables.pay(session, order, body.amount)
    return _done(session, user, now, order, "pay")
