"""Member rows. ``points_balance`` is kept by atomic UPDATEs beside an append-only ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

POINTS_KINDS = ("earn", "redeem", "expire", "adjust")
FEEDBACK_STATUSES = ("new", "in_progress", "resolved", "dismissed")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    card: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    tier: Mapped[str] = mapped_column(String(16), default="basic")
    birthday: Mapped[date | None] = mapped_column(Date, default=None)
    points_balance: Mapped[int] = mapped_column(Integer, default=0)
    lifetime_spend: Mapped[Decimal] = mapped_column(default=Decimal(0))
    home_store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="SET NULL"), default=None
    )
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PointsEntry(Base):
    """One earn/redeem/expire/adjust; (sale_id, kind) unique so a retried sale earns once."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("sale_id", "kind"),
        CheckConstraint(f"kind IN {POINTS_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    sale_id: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class Coupon(Base):
    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    rule_id: Mapped[str] = mapped_column(String(64), default="")
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    min_spend: Mapped[Decimal] = mapped_column(default=Decimal(0))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    redeemed_at: Mapped[datetime | None] = mapped_column(default=None)
    redeemed_sale_id: Mapped[str | None] = mapped_column(String(200), default=None)


class Feedback(Base):
    __tablename__ = "member_feedback"
    __table_args__ = (CheckConstraint(f"status IN {FEEDBACK_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True, default=None
    )
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="SET NULL"), default=None
    )
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    response: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str | None] = mapped_column(String(64), default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
