"""Campaigns, per-member channel preferences and the log of every notification attempt."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cloud.db.base import Base

CAMPAIGN_KINDS = ("manual", "birthday", "tier_upgrade", "win_back")
CHANNELS = ("sms", "email", "in_app")
SEND_STATUSES = ("sent", "opted_out", "throttled", "failed", "no_address")


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint(f"kind IN {CAMPAIGN_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="manual")
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coupon_prefix: Mapped[str] = mapped_column(String(16))
    coupon_kind: Mapped[str] = mapped_column(String(16), default="amount_off")
    coupon_value: Mapped[Decimal]
    min_spend: Mapped[Decimal] = mapped_column(default=Decimal(0))
    valid_days: Mapped[int] = mapped_column(Integer, default=30)
    per_member_limit: Mapped[int] = mapped_column(Integer, default=1)
    max_coupons: Mapped[int | None] = mapped_column(
        Integer, default=None, doc="Codes the campaign may issue in all; null: no cap (older rows)"
    )
    win_back_days: Mapped[int] = mapped_column(Integer, default=60)
    channel: Mapped[str] = mapped_column(String(16), default="in_app")
    message: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ChannelPref(Base):
    """Opt-in per member and channel; no row means not opted in (consent first)."""

    __tablename__ = "member_channel_prefs"
    __table_args__ = (UniqueConstraint("member_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    opted_in: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


class Notification(Base):
    """Every send attempt, whatever the outcome: the campaign's audit trail."""

    __tablename__ = "notifications"
    __table_args__ = (CheckConstraint(f"status IN {SEND_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True, default=None
    )
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
