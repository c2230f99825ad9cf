"""What the shelf map draws: each shelf node's lanes with product, count, fill level, state
(ok / low / out, or fault while a device fault names the lane) and the last event; a lane's
weight history and events for its detail view.

Fill level is the count against the most the lane held in the last 30 days (its readings):
the cloud is not told a lane's capacity, and the fullest it has been is what staff restock to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.inventory.models import LaneReading, LaneState
from cloud.products.models import Product, ProductBarcode

OPEN = ("active_unack", "active_ack")
FULL_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Lane:
    node: str
    lane: str
    sku: str
    name: str
    count: int
    grams: Decimal
    state: str
    updated_at: datetime
    full: int

    @property
    def fill_pct(self) -> int:
        return max(0, min(100, round(100 * self.count / self.full))) if self.full else 0


def _names(session: Session, lanes: list[LaneState]) -> tuple[dict[str, str], dict[str, str]]:
    gtins = {r.gtin for r in lanes}
    skus = {r.sku for r in lanes}
    by_gtin = dict(
        session.execute(
            select(ProductBarcode.gtin, Product.name)
            .join(Product, Product.id == ProductBarcode.product_id)
            .where(ProductBarcode.gtin.in_(gtins))
        ).all()
    )
    by_sku = dict(
        session.execute(select(Product.sku, Product.name).where(Product.sku.in_(skus))).all()
    )
    return by_gtin, by_sku


def _faults(session: Session, store_id: int) -> set[tuple[str, str]]:
    """(node, lane) pairs an open device fault names: source ``node/lane`` or ``node/lane:X``."""
    rows = session.scalars(
        select(Alert.source).where(
            Alert.store_id == store_id, Alert.type == "device_fault", Alert.status.in_(OPEN)
        )
    )
    out = set()
    for source in rows:
        node, _, part = source.partition("/")
        out.add((node, part.removeprefix("lane:")))
    return out


def _fullest(session: Session, store_id: int, since: datetime) -> dict[tuple[str, str], int]:
    stmt = (
        select(LaneReading.node, LaneReading.lane, func.max(LaneReading.count))
        .where(LaneReading.store_id == store_id, LaneReading.at >= since)
        .group_by(LaneReading.node, LaneReading.lane)
    )
    return {(n, ln): int(c or 0) for n, ln, c in session.execute(stmt)}


def shelves(session: Session, store_id: int, now: datetime) -> dict[str, list[Lane]]:
    """node → its lanes in lane order."""
    rows = list(
        session.scalars(
            select(LaneState)
            .where(LaneState.store_id == store_id)
            .order_by(LaneState.node, LaneState.lane)
        )
    )
    by_gtin, by_sku = _names(session, rows)
    faults = _faults(session, store_id)
    fullest = _fullest(session, store_id, now - FULL_WINDOW)
    out: dict[str, list[Lane]] = {}
    for r in rows:
        state = "fault" if (r.node, r.lane) in faults else r.state
        out.setdefault(r.node, []).append(
            Lane(
                node=r.node,
                lane=r.lane,
                sku=r.sku,
                name=by_gtin.get(r.gtin) or by_sku.get(r.sku) or r.sku,
                count=r.count,
                grams=r.grams,
                state=state,
                updated_at=r.updated_at,
                full=max(fullest.get((r.node, r.lane), 0), r.count, 1),
            )
        )
    return out


def history(
    session: Session, store_id: int, node: str, lane: str, since: datetime
) -> list[LaneReading]:
    """The lane's readings since ``since``, oldest first (at most the last 500)."""
    stmt = (
        select(LaneReading)
        .where(
            LaneReading.store_id == store_id,
            LaneReading.node == node,
            LaneReading.lane == lane,
            LaneReading.at >= since,
        )
        .order_by(LaneReading.at.desc(), LaneReading.id.desc())
        .limit(500)
    )
    return list(reversed(list(session.scalars(stmt))))


def lane_alerts(session: Session, store_id: int, node: str, lane: str) -> list[Alert]:
    sources = [f"{node}/{lane}", f"{node}/lane:{lane}"]
    stmt = (
        select(Alert)
        .where(Alert.store_id == store_id, Alert.source.in_(sources))
        .order_by(Alert.opened_at.desc())
        .limit(20)
    )
    return list(session.scalars(stmt))


def product_names(session: Session, skus: set[str], *, chinese: bool = False) -> dict[str, str]:
    """SKU → product name (one query), the Chinese one when asked and set, for alert texts
    that name the product."""
    if not skus:
        return {}
    stmt = select(Product.sku, Product.name, Product.name_zh).where(Product.sku.in_(skus))
    return {sku: (zh if chinese and zh else name) for sku, name, zh in session.execute(stmt)}
