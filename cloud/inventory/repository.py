"""Inventory queries: on-hand is the sum of the ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.db.upsert import insert_ignore
from cloud.inventory.models import LaneState, Movement


def on_hand(session: Session, store_id: int, product_id: int) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Movement.qty), 0)).where(
            Movement.store_id == store_id, Movement.product_id == product_id
        )
    )
    return Decimal(total or 0)


def on_hand_by_product(session: Session, store_id: int) -> dict[int, Decimal]:
    rows = session.execute(
        select(Movement.product_id, func.sum(Movement.qty))
        .where(Movement.store_id == store_id, Movement.product_id.is_not(None))
        .group_by(Movement.product_id)
    )
    return {int(pid): Decimal(qty) for pid, qty in rows if pid is not None}


def locked_lane(
    session: Session, store_id: int, node: str, lane_id: str, blank: dict[str, Any]
) -> LaneState:
    """The lane's row, created from ``blank`` (with ``seq`` 0) if new, locked until commit.

    Two ingest workers may hold stock events of one lane: the lock makes the second wait for
    the first's commit and then see its ``seq``, so an older event never overwrites a newer
    one. Insert-or-ignore first, so two first events of a lane do not collide on the unique
    key either. (SQLite has one writer at a time; ``FOR UPDATE`` is left out there.)
    """
    row = {"store_id": store_id, "node": node, "lane": lane_id, **blank, "seq": 0}
    session.execute(insert_ignore(session, LaneState).values(row))
    stmt = select(LaneState).where(
        LaneState.store_id == store_id, LaneState.node == node, LaneState.lane == lane_id
    )
    return session.scalars(stmt.with_for_update().execution_options(populate_existing=True)).one()


# Console read models -------------------------------------------------------------------------


def lanes(session: Session, store_id: int) -> list[LaneState]:
    return list(
        session.scalars(
            select(LaneState)
            .where(LaneState.store_id == store_id)
            .order_by(LaneState.node, LaneState.lane)
        )
    )


def stock_levels(
    session: Session, store_id: int, q: str, limit: int, offset: int
) -> list[tuple[int, str, str, Decimal]]:
    """(product id, sku, name, on hand) of products with ledger rows here, by SKU."""
    from cloud.products.models import Product

    stmt = (
        select(Product.id, Product.sku, Product.name, func.sum(Movement.qty))
        .join(Product, Product.id == Movement.product_id)
        .where(Movement.store_id == store_id)
        .group_by(Product.id, Product.sku, Product.name)
        .order_by(Product.sku)
    )
    if q:
        stmt = stmt.where(
            Product.sku.contains(q, autoescape=True) | Product.name.contains(q, autoescape=True)
        )
    rows = session.execute(stmt.limit(limit).offset(offset))
    return [(int(i), s, n, Decimal(qty or 0)) for i, s, n, qty in rows]


def movements(
    session: Session,
    store_id: int,
    *,
    kind: str | None,
    product_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> list[Movement]:
    stmt = select(Movement).where(Movement.store_id == store_id)
    if kind is not None:
        stmt = stmt.where(Movement.kind == kind)
    if product_id is not None:
        stmt = stmt.where(Movement.product_id == product_id)
    if since is not None:
        stmt = stmt.where(Movement.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(Movement.occurred_at < until)
    stmt = stmt.order_by(Movement.occurred_at.desc(), Movement.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))
