"""Goods received against an order, and goods returned to the supplier.

Each counted line books its good units through the inventory ledger (a ``receiving``
movement at the line's unit cost, so the moving-average cost follows; cloud.finance.costing)
and its damaged units nowhere: they are counted as delivered, not stocked. A count beyond
the line's open quantity (over-delivery) or with damaged units needs a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.exceptions import InvalidTransitionError, NotFoundError, ValidationFailedError
from cloud.inventory import service as inventory
from cloud.products import service as products
from cloud.purchasing import planning, repository
from cloud.purchasing.exceptions import ReasonRequiredError
from cloud.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    SupplierReturn,
)
from cloud.purchasing.service.orders import open_qty, sync_on_order


@dataclass(frozen=True, slots=True)
class Count:
    """What arrived of one line: ``qty`` good units, ``damaged`` units, and why."""

    line_no: int
    qty: Decimal
    damaged: Decimal = Decimal(0)
    reason: str = ""


def line_for_code(session: Session, order: PurchaseOrder, code: str) -> PurchaseOrderLine:
    """The order's line of a scanned or typed barcode, SKU or supplier item code."""
    code = code.strip()
    rows = repository.lines(session, order.id)
    product = products.find_by_code(session, code)
    for line in rows:
        if (product is not None and line.product_id == product.id) or (
            line.supplier_sku and line.supplier_sku == code
        ):
            return line
    raise NotFoundError(f"{code!r} is not on order {order.number}")


def _check(count: Count, line: PurchaseOrderLine) -> None:
    if count.qty < 0 or count.damaged < 0 or count.qty + count.damaged == 0:
        raise ValidationFailedError(f"line {count.line_no}: count at least one unit")
    reason = count.reason.strip()
    if count.qty + count.damaged > open_qty(line) and not reason:
        raise ReasonRequiredError(
            f"line {count.line_no}: {count.qty + count.damaged} is more than the "
            f"{open_qty(line)} still open: an over-delivery needs a reason"
        )
    if count.damaged > 0 and not reason:
        raise ReasonRequiredError(f"line {count.line_no}: damaged units need a reason")


def receive(
    session: Session, order: PurchaseOrder, counts: Sequence[Count], *, by: str, now: datetime
) -> list[PurchaseReceipt]:
    """Book one delivery (all lines or some); the order becomes partially received or
    received, and what is still open stays on order. The order row is locked first, so two
    phones booking the same delivery cannot both pass the over-delivery check."""
    session.refresh(order, with_for_update=True)
    if order.status not in planning.RECEIVABLE:
        raise InvalidTransitionError(f"a {order.status} order cannot be received against")
    if not counts:
        raise ValidationFailedError("count at least one line")
    by_no = {line.line_no: line for line in repository.lines(session, order.id)}
    out = []
    for count in counts:
        line = by_no.get(count.line_no)
        if line is None:
            raise NotFoundError(f"order {order.number} has no line {count.line_no}")
        _check(count, line)
        movement = None
        if count.qty > 0:
            movement = inventory.move(
                session,
                store_id=order.store_id,
                product_id=line.product_id,
                kind="receiving",
                qty=count.qty,
                now=now,
                unit_cost=line.unit_cost,
                reference=order.number,
                reason=count.reason.strip()[:200],
            )
        line.qty_received += count.qty
        line.qty_damaged += count.damaged
        row = PurchaseReceipt(
            order_id=order.id,
            line_id=line.id,
            qty=count.qty,
            damaged=count.damaged,
            reason=count.reason.strip()[:200],
            movement_id=movement.id if movement else None,
            received_at=now,
            received_by=by,
        )
        session.add(row)
        out.append(row)
    counted = [(ln.qty_ordered, ln.qty_received + ln.qty_damaged) for ln in by_no.values()]
    order.status = planning.received_status(counted)
    if order.status == "received":
        order.received_at = now
    session.flush()
    sync_on_order(session, order, now)
    return out


def return_to_supplier(
    session: Session,
    order: PurchaseOrder,
    line_no: int,
    qty: Decimal,
    reason: str,
    *,
    by: str,
    now: datetime,
) -> SupplierReturn:
    """Good units sent back (faulty, wrong item, expiring): out of stock, and credited
    against what the store owes the supplier."""
    if not reason.strip():
        raise ReasonRequiredError("a return to the supplier needs a reason")
    line = next((ln for ln in repository.lines(session, order.id) if ln.line_no == line_no), None)
    if line is None:
        raise NotFoundError(f"order {order.number} has no line {line_no}")
    if qty <= 0 or qty > line.qty_received - line.qty_returned:
        raise ValidationFailedError(
            f"line {line_no}: at most {line.qty_received - line.qty_returned} can be returned"
        )
    movement = inventory.move(
        session,
        store_id=order.store_id,
        product_id=line.product_id,
        kind="adjustment",
        qty=-qty,
        now=now,
        reference=order.number,
        reason=f"supplier return: {reason.strip()}"[:200],
    )
    line.qty_returned += qty
    row = SupplierReturn(
        order_id=order.id,
        line_id=line.id,
        qty=qty,
        reason=reason.strip()[:200],
        movement_id=movement.id,
        returned_at=now,
        returned_by=by,
    )
    session.add(row)
    session.flush()
    return row
