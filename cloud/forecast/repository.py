"""Forecast inputs: daily units per product from the aggregates, stock and open orders."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.forecast.models import OpenOrder
from cloud.inventory.models import Movement
from cloud.reports.models import ProductDaily


def daily_units(
    session: Session, store_id: int, first: date, last: date, gtins: list[str] | None = None
) -> dict[str, dict[date, Decimal]]:
    """GTIN → {local day → units sold} for days with sales in [first, last]."""
    stmt = select(ProductDaily.gtin, ProductDaily.day, ProductDaily.qty).where(
        ProductDaily.store_id == store_id, ProductDaily.day >= first, ProductDaily.day <= last
    )
    if gtins is not None:
        stmt = stmt.where(ProductDaily.gtin.in_(gtins))
    out: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for gtin, day, qty in session.execute(stmt):
        out[gtin][day] = Decimal(qty)
    return dict(out)


def on_hand(session: Session, store_id: int) -> dict[int, Decimal]:
    rows = session.execute(
        select(Movement.product_id, func.sum(Movement.qty))
        .where(Movement.store_id == store_id, Movement.product_id.is_not(None))
        .group_by(Movement.product_id)
    )
    return {int(pid): Decimal(q) for pid, q in rows if pid is not None}


def on_order(session: Session, store_id: int) -> dict[int, Decimal]:
    rows = session.execute(
        select(OpenOrder.product_id, func.sum(OpenOrder.qty))
        .where(OpenOrder.store_id == store_id, OpenOrder.received_at.is_(None))
        .group_by(OpenOrder.product_id)
    )
    return {int(pid): Decimal(q) for pid, q in rows}


def open_order_by_reference(
    session: Session, store_id: int, product_id: int, reference: str
) -> OpenOrder | None:
    return session.scalars(
        select(OpenOrder).where(
            OpenOrder.store_id == store_id,
            OpenOrder.product_id == product_id,
            OpenOrder.reference == reference,
            OpenOrder.received_at.is_(None),
        )
    ).first()
