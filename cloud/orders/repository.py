"""Every query of the orders tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud.orders.models import OPEN_STATUSES, Order, OrderLine


def by_order_id(session: Session, order_id: str, *, lock: bool = False) -> Order | None:
    stmt = select(Order).where(Order.order_id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def by_pickup_code(session: Session, store_id: int, code: str) -> Order | None:
    stmt = select(Order).where(Order.store_id == store_id, Order.pickup_code == code)
    return session.scalars(stmt).one_or_none()


def codes_taken(session: Session, store_id: int, codes: Collection[str]) -> set[str]:
    stmt = select(Order.pickup_code).where(
        Order.store_id == store_id, Order.pickup_code.in_(list(codes))
    )
    return set(session.scalars(stmt))


def lines(session: Session, order_pk: int) -> Sequence[OrderLine]:
    stmt = select(OrderLine).where(OrderLine.order_pk == order_pk).order_by(OrderLine.line_no)
    return session.scalars(stmt).all()


def claim(
    session: Session, order_pk: int, *, from_status: str, to_status: str, values: dict[str, object]
) -> bool:
    """Move the order only if it is still in ``from_status``: of two staff claiming the same
    order in the same instant, one UPDATE matches and the other finds nothing to change."""
    stmt = (
        update(Order)
        .where(Order.id == order_pk, Order.status == from_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    )
    matched = session.execute(stmt).rowcount  # type: ignore[attr-defined]
    return bool(matched)


def page(
    session: Session,
    *,
    store_ids: Collection[int] | None,
    statuses: Collection[str] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Order], int]:
    """Oldest first (the next to pick on top) among the stores and statuses; one page."""
    stmt = select(Order)
    if store_ids is not None:
        stmt = stmt.where(Order.store_id.in_(list(store_ids)))
    if statuses:
        stmt = stmt.where(Order.status.in_(list(statuses)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Order.due_at, Order.id).limit(limit).offset(offset))
    return rows.all(), int(total)


def reserved(session: Session, store_id: int) -> dict[int, Decimal]:
    """product id → units held by the store's open orders."""
    stmt = (
        select(OrderLine.product_id, func.sum(OrderLine.qty))
        .join(Order, Order.id == OrderLine.order_pk)
        .where(Order.store_id == store_id, Order.status.in_(OPEN_STATUSES))
        .group_by(OrderLine.product_id)
    )
    return {int(pid): Decimal(qty) for pid, qty in session.execute(stmt)}
