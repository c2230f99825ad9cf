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
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

POINTS_KINDS = ("earn", "redeem", "expire", "adjust")


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
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    valid_from: Mapped[datetime | None] = mapped_column(default=None)
    issue_key: Mapped[str | None] = mapped_column(
        String(120), unique=True, default=None, doc="Makes automatic issues idempotent"
    )
    issued_by_id: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="The user who issued it by hand (counted against the limit)"
    )


class CouponLimits(Base):
    """Head office's limits on the coupons and campaigns managers create: one row (id 1).

    Without a row the defaults of ``cloud.members.limits`` apply.
    """

    __tablename__ = "coupon_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_percent_off: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    max_amount_off: Mapped[Decimal]
    max_valid_days: Mapped[int] = mapped_column(Integer)
    max_campaign_coupons: Mapped[int] = mapped_column(Integer)
    max_issued_per_day: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class CouponRedemption(Base):
    """The one redemption a code may have, chain-wide: UNIQUE(code) decides between kiosks."""

    __tablename__ = "coupon_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    sale_id: Mapped[str] = mapped_column(String(200), index=True)
    store_id: Mapped[int | None] = mapped_column(Integer, default=None)
    node: Mapped[str] = mapped_column(String(32), default="")
    member_id: Mapped[int | None] = mapped_column(Integer, default=None)
    redeemed_at: Mapped[datetime]


class CouponConflict(Base):
    """A use the database refused (already used elsewhere, unknown, expired): reported."""

    __tablename__ = "coupon_conflicts"
    __table_args__ = (UniqueConstraint("code", "sale_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    sale_id: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(Integer, default=None)
    node: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(String(32))
    winner_sale_id: Mapped[str | None] = mapped_column(String(200), default=None)
    amount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    occurred_at: Mapped[datetime]
    resolved: Mapped[bool] = mapped_column(default=False)


class PointsShortfall(Base):
    """Points a kiosk let a member spend offline beyond the balance the cloud knew."""

    __tablename__ = "points_shortfalls"
    __table_args__ = (UniqueConstraint("sale_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    sale_id: Mapped[str] = mapped_column(String(200))
    asked: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]


class TierChange(Base):
    """Every tier move, with the 12-month figures that caused it."""

    __tablename__ = "member_tier_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    old_tier: Mapped[str] = mapped_column(String(16))
    new_tier: Mapped[str] = mapped_column(String(16))
    spend_12m: Mapped[Decimal]
    visits_12m: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime]
