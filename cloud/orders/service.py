"""Online orders: place (priced by ``contracts.pricing`` as at a kiosk, stock reserved, paid
online), pick by scanning, and hand over as a sale at collection or delivery.

The sale is recorded through :func:`cloud.sales.service.record_sales` under the node
:data:`~cloud.finance.settlement.ONLINE_NODE`, so it moves stock, books revenue and shows in
settlement like any sale. Read models sit above this layer, so the shell passes them in: the
report aggregates as ``on_sale``, and the store's price book (``cloud.pricebook``) that an
order is priced with as ``book``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud.exceptions import NotFoundError, ValidationFailedError
from cloud.finance.settlement import ONLINE_NODE
from cloud.inventory import service as inventory
from cloud.orders import repository
from cloud.orders.exceptions import OrderStateError, OutOfStockError, PickConflictError
from cloud.orders.flow import Action, next_status
from cloud.orders.models import Order, OrderLine
from cloud.orders.sale import sale_data
from cloud.products import service as products
from cloud.sales import service as sales
from cloud.stores.models import Store
from contracts.pricebook import PriceBook
from contracts.pricing import BasketLine, PricedBasket, PricingError, price_basket

READY_WITHIN = timedelta(minutes=30)
"""An order not ready this long after it was placed is late on the board."""
SaleHook = Callable[[Session, Sequence[sales.SaleRecord], Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class NewOrder:
    channel: str
    fulfilment: str
    customer: dict[str, Any]
    lines: Sequence[tuple[str, Decimal]]
    """(sku, qty) as the shopper asked."""
    payment_ref: str | None = None


@dataclass(frozen=True, slots=True)
class PickItem:
    """A line of the pick list with where it is in the store (None: on no shelf lane)."""

    line: OrderLine
    location: str | None


def price(book: PriceBook, asked: Sequence[tuple[str, Decimal]], now: datetime) -> PricedBasket:
    """The basket priced with the store's price book as a kiosk would price it now."""
    basket = [BasketLine(line_id=str(i), sku=sku, qty=qty) for i, (sku, qty) in enumerate(asked, 1)]
    try:
        return price_basket(book, basket, at=now)
    except PricingError as exc:
        raise ValidationFailedError(str(exc)) from exc


def place(
    session: Session, store: Store, new: NewOrder, *, book: PriceBook, by: str, now: datetime
) -> Order:
    """Price, check and reserve the stock, record the online payment; the order is placed.

    ``book`` is the store's price book as a kiosk has it now; the shell builds it
    (``cloud.pricebook.builder.build_pricebook``)."""
    priced = price(book, new.lines, now)
    ids = products.ids_by_sku(session, [ln.sku for ln in priced.all_lines])
    _check_available(session, store, priced, ids)
    order_id = f"OR-{secrets.token_hex(5).upper()}"
    order = Order(
        order_id=order_id,
        store_id=store.id,
        channel=new.channel,
        fulfilment=new.fulfilment,
        status="placed",
        pickup_code=_pickup_code(session, store.id),
        customer=new.customer,
        currency=priced.currency,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        tax_inclusive=priced.tax_inclusive,
        payment_ref=new.payment_ref or f"online-{order_id}",
        placed_by=by,
        placed_at=now,
        due_at=now + READY_WITHIN,
    )
    session.add(order)
    session.flush()
    for no, ln in enumerate(priced.all_lines, 1):
        session.add(
            OrderLine(
                order_pk=order.id,
                line_no=no,
                product_id=ids[ln.sku],
                sku=ln.sku,
                gtin=ln.gtin,
                name=ln.name,
                qty=ln.qty,
                picked=Decimal(0),
                unit_price=ln.unit_price,
                amount=ln.amount,
                discounts=[
                    {"promotion": d.promotion, "amount": str(d.amount)} for d in ln.discounts
                ],
            )
        )
    session.flush()
    return order


def _check_available(
    session: Session, store: Store, priced: PricedBasket, ids: dict[str, int]
) -> None:
    wanted: dict[str, Decimal] = {}
    for ln in priced.all_lines:
        wanted[ln.sku] = wanted.get(ln.sku, Decimal(0)) + ln.qty
    held = repository.reserved(session, store.id)
    for sku, qty in wanted.items():
        pid = ids[sku]
        free = inventory.on_hand(session, store.id, pid) - held.get(pid, Decimal(0))
        if qty > free:
            raise OutOfStockError(
                f"{sku}: {max(free, Decimal(0)).normalize():f} available, {qty.normalize():f} asked"
            )


def _pickup_code(session: Session, store_id: int) -> str:
    """Six digits no other order of the store has had."""
    for _ in range(5):
        codes = {f"{secrets.randbelow(10**6):06d}" for _ in range(8)}
        free = codes - repository.codes_taken(session, store_id, codes)
        if free:
            return sorted(free)[0]
    raise OrderStateError("no free pickup code; try again")  # pragma: no cover (10^6 codes)


def get(session: Session, order_id: str) -> Order:
    order = repository.by_order_id(session, order_id)
    if order is None:
        raise NotFoundError(f"order {order_id!r} not found")
    return order


def lines(session: Session, order: Order) -> Sequence[OrderLine]:
    return repository.lines(session, order.id)


def act(
    session: Session,
    order: Order,
    action: Action,
    *,
    by: str,
    now: datetime,
    on_sale: SaleHook | None = None,
) -> Order:
    """Apply ``action``; 409 (:class:`PickConflictError`) when someone else holds the pick."""
    if action == "pick" and order.status == "picking":
        raise PickConflictError(_held(order))
    target = next_status(order.status, order.fulfilment, action)
    if action == "pick":
        if not repository.claim(
            session, order.id, from_status="placed", to_status=target,
            values={"picker": by, "picking_at": now},
        ):  # fmt: skip
            session.refresh(order)
            raise PickConflictError(_held(order))
        session.refresh(order)
        return order
    if action == "ready":
        _check_picker(order, by)
        missing = [ln.sku for ln in lines(session, order) if ln.picked < ln.qty]
        if missing:
            raise OrderStateError(f"not picked yet: {', '.join(missing)}", "not_picked")
        order.ready_at = now
    elif action == "dispatch":
        order.dispatched_at = now
    elif action in ("collect", "deliver"):
        _record_sale(session, order, now, on_sale)
        order.closed_at = now
    elif action == "cancel":
        order.refund_ref = f"refund-{order.payment_ref}"[:64]
        order.refunded = order.total
        order.closed_at = now
    if not repository.claim(
        session, order.id, from_status=order.status, to_status=target, values={}
    ):
        session.refresh(order)
        raise OrderStateError(f"order {order.order_id} changed meanwhile: it is {order.status}")
    session.flush()
    session.refresh(order)
    return order


def _held(order: Order) -> str:
    if order.status == "picking" and order.picker:
        return f"order {order.order_id} is already being picked by {order.picker}"
    return f"order {order.order_id} is {order.status}; it can no longer be picked"


def _check_picker(order: Order, by: str) -> None:
    if order.picker is not None and order.picker != by:
        raise PickConflictError(f"order {order.order_id} is being picked by {order.picker}")


def scan(session: Session, order: Order, code: str, *, by: str) -> OrderLine:
    """One unit of the scanned product picked (a weighed line: all of it)."""
    if order.status != "picking":
        raise OrderStateError(f"order {order.order_id} is {order.status}, not being picked")
    _check_picker(order, by)
    product = products.find_by_code(session, code.strip()) if code.strip() else None
    if product is None:
        raise NotFoundError(f"no product with code {code!r}")
    for ln in lines(session, order):
        if ln.product_id == product.id and ln.picked < ln.qty:
            step = Decimal(1) if ln.qty == ln.qty.to_integral_value() else ln.qty
            ln.picked = min(ln.qty, ln.picked + step)
            session.flush()
            return ln
    raise OrderStateError(
        f"{product.sku} is not wanted (any more) in order {order.order_id}", "not_wanted"
    )


def pick_list(session: Session, order: Order) -> list[PickItem]:
    """The lines in walking order: by shelf node and lane, lines on no lane last."""
    where: dict[str, str] = {}
    for lane in sorted(inventory.lanes(session, order.store_id), key=lambda r: (r.node, r.lane)):
        where.setdefault(lane.sku, f"{lane.node}/{lane.lane}")
    items = [PickItem(ln, where.get(ln.sku)) for ln in lines(session, order)]
    return sorted(items, key=lambda i: (i.location is None, i.location or "", i.line.line_no))


def _record_sale(session: Session, order: Order, now: datetime, on_sale: SaleHook | None) -> None:
    data = sale_data(order, lines(session, order), now)
    record = sales.SaleRecord(order.store_id, ONLINE_NODE, str(uuid.uuid4()), data)
    recorded = sales.record_sales(session, [record], now)
    order.sale_id = data.sale_id
    if on_sale is not None:
        on_sale(session, [record], recorded)


def collect_by_code(
    session: Session,
    store: Store,
    code: str,
    *,
    by: str,
    now: datetime,
    on_sale: SaleHook | None = None,
) -> Order:
    """The kiosk's collection: the ready pickup order of ``store`` with this code."""
    order = repository.by_pickup_code(session, store.id, code)
    if order is None:
        raise NotFoundError("no order with this pickup code")
    return act(session, order, "collect", by=by, now=now, on_sale=on_sale)


def find_by_code(session: Session, store: Store, code: str) -> Order:
    order = repository.by_pickup_code(session, store.id, code)
    if order is None:
        raise NotFoundError("no order with this pickup code")
    return order


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    statuses: Collection[str] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Order], int]:
    return repository.page(
        session, store_ids=store_ids, statuses=statuses, limit=limit, offset=offset
    )


def reserved(session: Session, store_id: int) -> dict[int, Decimal]:
    """product id → units the store's open orders hold (on hand, not available)."""
    return repository.reserved(session, store_id)


def sale_of(session: Session, order: Order) -> dict[str, Any]:
    """The sale a collected or delivered order became, in the sale event's JSON form."""
    if order.sale_id is None or order.closed_at is None:
        raise OrderStateError(f"order {order.order_id} is {order.status}, not a sale")
    return sale_data(order, lines(session, order), order.closed_at).model_dump(mode="json")
