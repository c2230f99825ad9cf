"""Every query of the purchasing tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.purchasing.models import (
    PurchaseLimits,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    SupplierReturn,
)

LIMITS_ID = 1


def add_order(session: Session, **fields: Any) -> PurchaseOrder:
    """Insert, then number it from its id (``PO`` and eight digits: short enough to type and
    to print as a Code 128 barcode)."""
    row = PurchaseOrder(number=uuid.uuid4().hex[:20], **fields)
    session.add(row)
    session.flush()
    row.number = f"PO{row.id:08d}"
    session.flush()
    return row


def by_number(session: Session, number: str) -> PurchaseOrder | None:
    return session.scalars(select(PurchaseOrder).where(PurchaseOrder.number == number)).first()


def lines(session: Session, order_id: int) -> list[PurchaseOrderLine]:
    stmt = (
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.order_id == order_id)
        .order_by(PurchaseOrderLine.line_no)
    )
    return list(session.scalars(stmt))


def receipts(session: Session, order_id: int) -> list[PurchaseReceipt]:
    stmt = (
        select(PurchaseReceipt)
        .where(PurchaseReceipt.order_id == order_id)
        .order_by(PurchaseReceipt.id)
    )
    return list(session.scalars(stmt))


def returns(session: Session, order_id: int) -> list[SupplierReturn]:
    stmt = select(SupplierReturn).where(SupplierReturn.order_id == order_id)
    return list(session.scalars(stmt.order_by(SupplierReturn.id)))


def page(
    session: Session,
    store_ids: Collection[int] | None,
    *,
    status: str | None,
    supplier_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[PurchaseOrder], int]:
    stmt = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    if store_ids is not None:
        stmt = stmt.where(PurchaseOrder.store_id.in_(store_ids))
    if status is not None:
        stmt = stmt.where(PurchaseOrder.status == status)
    if supplier_id is not None:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    return paged(session, stmt, limit, offset)


def orders_since(
    session: Session, store_ids: Collection[int] | None, since: datetime, statuses: Collection[str]
) -> list[PurchaseOrder]:
    """Orders created since ``since`` in the statuses, oldest first (reports, payables)."""
    stmt = select(PurchaseOrder).where(
        PurchaseOrder.created_at >= since, PurchaseOrder.status.in_(statuses)
    )
    if store_ids is not None:
        stmt = stmt.where(PurchaseOrder.store_id.in_(store_ids))
    return list(session.scalars(stmt.order_by(PurchaseOrder.id)))


def lines_of(session: Session, order_ids: Collection[int]) -> dict[int, list[PurchaseOrderLine]]:
    out: dict[int, list[PurchaseOrderLine]] = {i: [] for i in order_ids}
    stmt = select(PurchaseOrderLine).where(PurchaseOrderLine.order_id.in_(order_ids))
    for row in session.scalars(stmt.order_by(PurchaseOrderLine.line_no)):
        out[row.order_id].append(row)
    return out


def limits(session: Session) -> PurchaseLimits | None:
    return session.get(PurchaseLimits, LIMITS_ID)


def save_limits(session: Session, **fields: Any) -> PurchaseLimits:
    row = session.get(PurchaseLimits, LIMITS_ID)
    if row is None:
        row = PurchaseLimits(id=LIMITS_ID, **fields)
        session.add(row)
    else:
        for key, value in fields.items():
            setattr(row, key, value)
    session.flush()
    return row


def receipts_of(
    session: Session, order_ids: Collection[int]
) -> list[tuple[int, int, Any, Any, datetime]]:
    """(order id, line id, good qty, damaged, received at) of the orders' receipts."""
    stmt = select(
        PurchaseReceipt.order_id,
        PurchaseReceipt.line_id,
        PurchaseReceipt.qty,
        PurchaseReceipt.damaged,
        PurchaseReceipt.received_at,
    ).where(PurchaseReceipt.order_id.in_(order_ids))
    return [tuple(r) for r in session.execute(stmt.order_by(PurchaseReceipt.id))]  # type: ignore[misc]
