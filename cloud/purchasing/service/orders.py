"""A purchase order's life: created (by hand or from reorder suggestions), approved within
the limit, sent to the supplier, cancelled or closed. Receiving is in ``receiving``.

Every change ends with :func:`sync_on_order`: each open line's unreceived units are what the
forecast counts as on order, so reorder does not suggest them twice (decision 0230)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.auth.models import Role
from cloud.exceptions import InvalidTransitionError, NotFoundError, ValidationFailedError
from cloud.forecast import service as forecast
from cloud.products import service as products
from cloud.purchasing import planning, repository
from cloud.purchasing.exceptions import ApprovalLimitError
from cloud.purchasing.models import OPEN_STATUSES, PurchaseOrder, PurchaseOrderLine
from cloud.purchasing.service import limits
from cloud.stores.localtime import local_today, zone
from cloud.stores.models import Store
from cloud.suppliers import service as suppliers
from cloud.suppliers.models import Supplier


@dataclass(frozen=True, slots=True)
class LineIn:
    product_id: int
    qty: Decimal
    unit_cost: Decimal | None = None


def get(session: Session, number: str) -> PurchaseOrder:
    row = repository.by_number(session, number.strip().upper())
    if row is None:
        raise NotFoundError(f"purchase order {number!r} not found")
    return row


def lines(session: Session, order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return repository.lines(session, order.id)


def page(
    session: Session,
    store_ids: Sequence[int] | None,
    *,
    status: str | None = None,
    supplier_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[PurchaseOrder], int]:
    return repository.page(
        session, store_ids, status=status, supplier_id=supplier_id, limit=limit, offset=offset
    )


def expected_on(store: Store, supplier: Supplier, now: datetime) -> date:
    """The store's local today plus the supplier's lead time."""
    return local_today(zone(store.timezone), now) + timedelta(days=supplier.lead_time_days)


def create(
    session: Session,
    store: Store,
    supplier: Supplier,
    wanted: Sequence[LineIn],
    *,
    now: datetime,
    by: str,
    source: str = "manual",
    note: str = "",
) -> PurchaseOrder:
    """A draft; a line without a cost takes the supplier's, and its pack size."""
    if not wanted:
        raise ValidationFailedError("an order needs at least one line")
    if not supplier.active:
        raise ValidationFailedError(f"supplier {supplier.code!r} is not active")
    order = repository.add_order(
        session,
        store_id=store.id,
        supplier_id=supplier.id,
        source=source,
        note=note,
        created_at=now,
        created_by=by,
        expected_on=expected_on(store, supplier, now),
    )
    total = Decimal(0)
    for n, item in enumerate(wanted, start=1):
        if item.qty <= 0:
            raise ValidationFailedError(f"line {n}: qty must be positive")
        offer = suppliers.offer(session, supplier, item.product_id)
        cost = (
            item.unit_cost if item.unit_cost is not None else (offer.unit_cost if offer else None)
        )
        if cost is None:
            raise ValidationFailedError(
                f"line {n}: {supplier.code!r} has no cost for this product; give unit_cost"
            )
        session.add(
            PurchaseOrderLine(
                order_id=order.id,
                line_no=n,
                product_id=item.product_id,
                supplier_sku=offer.supplier_sku if offer else "",
                pack_size=offer.pack_size if offer else 1,
                qty_ordered=item.qty,
                unit_cost=cost,
            )
        )
        total += planning.amount(item.qty, cost)
    order.total = total
    session.flush()
    sync_on_order(session, order, now)
    return order


@dataclass
class FromReorder:
    orders: list[PurchaseOrder]
    unsourced: list[str]
    """SKUs to order that no active supplier sells."""


def from_reorder(
    session: Session,
    store: Store,
    *,
    now: datetime,
    by: str,
    lead_days: int = 3,
    service_level: float = 0.95,
) -> FromReorder:
    """One draft per supplier from the store's reorder suggestions (rounded to the item's
    minimum and pack size)."""
    report = forecast.reorder_report(session, store.id, now.date(), lead_days, service_level)
    want = {str(r[0]): Decimal(str(r[7])) for r in report.rows if r[0]}
    ids = products.ids_by_sku(session, [s for s, q in want.items() if q > 0])
    plan = planning.plan(
        [(ids[s], q) for s, q in want.items() if s in ids],
        suppliers.best_offers(session, ids.values()),
    )
    made = []
    by_id = suppliers.by_ids(session, plan.by_supplier)
    for supplier_id, planned in sorted(plan.by_supplier.items()):
        wanted = [LineIn(p.product_id, p.qty, p.unit_cost) for p in planned]
        made.append(
            create(session, store, by_id[supplier_id], wanted, now=now, by=by, source="reorder")
        )
    skus = products.skus_by_id(session, plan.unsourced)
    return FromReorder(made, sorted(skus.values()))


def _move(order: PurchaseOrder, to: str) -> None:
    if not planning.can_move(order.status, to):
        raise InvalidTransitionError(f"a {order.status} order cannot become {to}")


def approve(
    session: Session, order: PurchaseOrder, *, role: Role, by: str, now: datetime
) -> PurchaseOrder:
    """A manager within head office's limit; head office (hq, admin) at any amount. An order
    below the supplier's minimum order amount is not approved."""
    _move(order, "approved")
    supplier = suppliers.by_ids(session, [order.supplier_id])[order.supplier_id]
    if order.total < supplier.min_order_amount:
        raise ValidationFailedError(
            f"{order.total} is below {supplier.code}'s minimum order of {supplier.min_order_amount}"
        )
    limit = limits.current(session).manager_max_amount
    if not role.chain_wide and order.total > limit:
        raise ApprovalLimitError(
            f"{order.total} is above the manager's approval limit of {limit}: head office "
            "approves this order"
        )
    order.status, order.approved_at, order.approved_by = "approved", now, by
    session.flush()
    return order


def mark_sent(session: Session, order: PurchaseOrder, store: Store, now: datetime) -> None:
    """Sent: the expected date counts the lead time from today."""
    _move(order, "sent")
    supplier = suppliers.by_ids(session, [order.supplier_id])[order.supplier_id]
    order.status, order.sent_at = "sent", now
    order.expected_on = expected_on(store, supplier, now)
    session.flush()
    sync_on_order(session, order, now)


def cancel(session: Session, order: PurchaseOrder, now: datetime) -> PurchaseOrder:
    """Only before anything arrived; the on-order quantity is released."""
    _move(order, "cancelled")
    order.status, order.closed_at = "cancelled", now
    session.flush()
    sync_on_order(session, order, now)
    return order


def close(session: Session, order: PurchaseOrder, now: datetime) -> PurchaseOrder:
    """Nothing more is expected (a short delivery accepted as final): releases on-order."""
    _move(order, "closed")
    order.status, order.closed_at = "closed", now
    session.flush()
    sync_on_order(session, order, now)
    return order


def open_qty(line: PurchaseOrderLine) -> Decimal:
    return max(line.qty_ordered - line.qty_received - line.qty_damaged, Decimal(0))


def sync_on_order(session: Session, order: PurchaseOrder, now: datetime) -> None:
    is_open = order.status in OPEN_STATUSES
    for line in repository.lines(session, order.id):
        forecast.set_on_order(
            session,
            store_id=order.store_id,
            product_id=line.product_id,
            reference=f"{order.number}/{line.line_no}",
            qty=open_qty(line) if is_open else Decimal(0),
            now=now,
            expected_on=order.expected_on,
        )
