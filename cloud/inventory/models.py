"""Movements are append-only; lane state is the last stock event of each shelf lane."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import QTY, Base

MOVEMENT_KINDS = ("receiving", "sale", "adjustment", "stocktake", "transfer_out", "transfer_in")
LANE_STATES = ("ok", "low", "out")


class Movement(Base):
    """Signed quantity: receiving/transfer_in positive, sale/transfer_out negative.

    No foreign keys (five movements per sale, on the ingest's hot path): store and product ids
    come from lookups in the same transaction, and neither is ever deleted (decision 0150).
    """

    __tablename__ = "inventory_movements"
    __table_args__ = (
        CheckConstraint(f"kind IN {MOVEMENT_KINDS!r}", name="kind"),
        Index("ix_inventory_movements_store_id_product_id", "store_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer, default=None)
    gtin: Mapped[str | None] = mapped_column(String(14), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    qty: Mapped[Decimal] = mapped_column(QTY)
    unit_cost: Mapped[Decimal | None] = mapped_column(default=None)
    reference: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime]


class LaneState(Base):
    __tablename__ = "lane_states"
    __table_args__ = (
        UniqueConstraint("store_id", "node", "lane"),
        CheckConstraint(f"state IN {LANE_STATES!r}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str] = mapped_column(String(14))
    count: Mapped[int] = mapped_column(Integer)
    grams: Mapped[Decimal] = mapped_column(QTY)
    state: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(BigInteger, default=0, doc="Event seq; older ones are ignored")
    updated_at: Mapped[datetime]


class LaneReading(Base):
    """Every accepted stock event of a lane, for its weight history (the shelf map's chart);
    :class:`LaneState` keeps only the last one."""

    __tablename__ = "lane_readings"
    __table_args__ = (Index("ix_lane_readings_lane_at", "store_id", "node", "lane", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    node: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    grams: Mapped[Decimal] = mapped_column(QTY)
    state: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]


class LearnedWeight(Base):
    """The unit weight a store's shelf learned for a product from its own single picks
    (issue 17): the price book carries it so the kiosks' bagging check can use it."""

    __tablename__ = "learned_unit_weights"
    __table_args__ = (UniqueConstraint("store_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    node: Mapped[str] = mapped_column(String(32), doc="The shelf node and lane it came from")
    lane: Mapped[str] = mapped_column(String(64))
    unit_weight_g: Mapped[Decimal] = mapped_column(QTY)
    spread_g: Mapped[Decimal] = mapped_column(QTY)
    units_learned: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
