"""Inventory queries: on-hand is the sum of the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cloud.db.paging import paged
from cloud.db.upsert import insert_ignore
from cloud.inventory.models import LaneReading, LaneState, LearnedWeight, Movement
from contracts.messages import StockData


def on_hand(session: Session, store_id: int, product_id: int) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Movement.qty), 0)).where(
            Movement.store_id == store_id, Movement.product_id == product_id
        )
    )
    return Decimal(total or 0)


def on_hand_of(session: Session, store_id: int, product_ids: Sequence[int]) -> dict[int, Decimal]:
    """On-hand of the given products (absent: no movement yet), in one grouped query."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(Movement.product_id, func.sum(Movement.qty))
        .where(Movement.store_id == store_id, Movement.product_id.in_(list(product_ids)))
        .group_by(Movement.product_id)
    )
    return {int(pid): Decimal(qty) for pid, qty in rows if pid is not None}


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


def locked_learned_weight(
    session: Session, store_id: int, product_id: int, blank: dict[str, Any]
) -> LearnedWeight:
    """The product's learned weight in the store, created from ``blank`` if new, locked until
    commit (as :func:`locked_lane`: two workers may hold stock events of one product)."""
    row = {"store_id": store_id, "product_id": product_id, **blank}
    session.execute(insert_ignore(session, LearnedWeight).values(row))
    stmt = select(LearnedWeight).where(
        LearnedWeight.store_id == store_id, LearnedWeight.product_id == product_id
    )
    return session.scalars(stmt.with_for_update().execution_options(populate_existing=True)).one()


def learned_weights(session: Session, store_id: int) -> dict[int, LearnedWeight]:
    """Product id → what the store's shelves learned, for its price book."""
    rows = session.scalars(select(LearnedWeight).where(LearnedWeight.store_id == store_id))
    return {row.product_id: row for row in rows}


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
    stmt = _movements(store_id, kind, product_id, since, until)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def movement_page(
    session: Session,
    store_id: int,
    *,
    kind: str | None,
    product_id: int | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Movement], int]:
    """The store's movements, newest first, filtered; one page and the count."""
    return paged(session, _movements(store_id, kind, product_id, since, None), limit, offset)


def _movements(
    store_id: int,
    kind: str | None,
    product_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Movement]:
    stmt = select(Movement).where(Movement.store_id == store_id)
    if kind is not None:
        stmt = stmt.where(Movement.kind == kind)
    if product_id is not None:
        stmt = stmt.where(Movement.product_id == product_id)
    if since is not None:
        stmt = stmt.where(Movement.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(Movement.occurred_at < until)
    return stmt.order_by(Movement.occurred_at.desc(), Movement.id.desc())


def on_hand_page(
    session: Session, store_id: int, sku: str | None, limit: int, offset: int
) -> tuple[list[tuple[str, str, Decimal]], int]:
    """(sku, name, on hand) of products with ledger rows here, by SKU; one page and the
    count."""
    from cloud.products.models import Product

    stmt = (
        select(Product.sku, Product.name, func.sum(Movement.qty))
        .join(Product, Product.id == Movement.product_id)
        .where(Movement.store_id == store_id)
        .group_by(Product.sku, Product.name)
        .order_by(Product.sku)
    )
    if sku is not None:
        stmt = stmt.where(Product.sku == sku)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return [(s, n, q) for s, n, q in rows], total


def add_reading(session: Session, store_id: int, node: str, data: StockData, now: datetime) -> None:
    """One row of a lane's history (the shelf map's readings and daily peaks)."""
    session.add(
        LaneReading(store_id=store_id, node=node, lane=data.lane, count=data.count,
                    grams=data.grams, state=data.state, at=now)
    )  # fmt: skip
