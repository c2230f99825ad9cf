"""Inventory queries: on-hand is the sum of the ledger."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def lane(session: Session, store_id: int, node: str, lane_id: str) -> LaneState | None:
    return session.scalars(
        select(LaneState).where(
            LaneState.store_id == store_id, LaneState.node == node, LaneState.lane == lane_id
        )
    ).one_or_none()
