"""Tiers by rolling 12-month spend and visit count, with configurable thresholds and benefits.

The rule is pure (:func:`tier_for`); :func:`refresh_tiers` moves members by the figures it is
handed and records every change. The figures come from recorded sales
(``sales.service.member_figures``), which the shell reads and passes in: members sit below
sales and never import them. Ingest never touches tiers: a periodic job (or the console)
refreshes them, so the sale path stays short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud.members.models import Member, TierChange


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$", description="Tier id, e.g. gold")
    min_spend: Decimal = Field(ge=0, description="12-month spend needed (either this ...)")
    min_visits: int = Field(ge=0, description="... or this many visits in 12 months)")
    discount_rate: Decimal = Field(
        default=Decimal(0), ge=0, le=Decimal("0.5"), description="Member discount, 0.05 = 5%"
    )
    points_multiplier: Decimal = Field(
        default=Decimal(1), ge=0, le=10, description="Multiplies points earned per sale"
    )


DEFAULT_TIERS = (
    Tier(name="basic", min_spend=Decimal(0), min_visits=0),
    Tier(
        name="silver",
        min_spend=Decimal(1000),
        min_visits=12,
        discount_rate=Decimal("0.02"),
        points_multiplier=Decimal("1.2"),
    ),
    Tier(
        name="gold",
        min_spend=Decimal(5000),
        min_visits=40,
        discount_rate=Decimal("0.05"),
        points_multiplier=Decimal("1.5"),
    ),
    Tier(
        name="platinum",
        min_spend=Decimal(20000),
        min_visits=100,
        discount_rate=Decimal("0.08"),
        points_multiplier=Decimal(2),
    ),
)


class TierPolicy(BaseModel):
    """Ordered lowest first; a member reaches a tier by spend OR by visits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tiers: tuple[Tier, ...] = Field(default=DEFAULT_TIERS, description="Lowest tier first")
    window_days: int = Field(default=365, ge=30, le=1000, description="Rolling window length")

    @model_validator(mode="after")
    def _ordered(self) -> TierPolicy:
        if not self.tiers or self.tiers[0].min_spend != 0 or self.tiers[0].min_visits != 0:
            raise ValueError("the first tier must be open to everyone (0 spend, 0 visits)")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        return self

    def rank(self, name: str) -> int:
        for i, tier in enumerate(self.tiers):
            if tier.name == name:
                return i
        return -1

    def get(self, name: str) -> Tier:
        return self.tiers[max(self.rank(name), 0)]


def tier_for(policy: TierPolicy, spend: Decimal, visits: int) -> Tier:
    """The highest tier whose spend or visit threshold is met. Pure."""
    best = policy.tiers[0]
    for tier in policy.tiers[1:]:
        if spend >= tier.min_spend or visits >= tier.min_visits:
            best = tier
    return best


@dataclass(frozen=True, slots=True)
class Change:
    member_id: int
    old: str
    new: str
    spend: Decimal
    visits: int

    def upgrade(self, policy: TierPolicy) -> bool:
        return policy.rank(self.new) > policy.rank(self.old)


def window_start(policy: TierPolicy, now: datetime) -> datetime:
    """Where the figures for :func:`refresh_tiers` start: ``window_days`` before ``now``."""
    return now - timedelta(days=policy.window_days)


def refresh_tiers(
    session: Session,
    *,
    now: datetime,
    policy: TierPolicy,
    stats: Mapping[int, tuple[Decimal, int]],
) -> list[Change]:
    """Move every member to the tier of their last ``window_days``; record each change.

    ``stats`` is member id → (spend, visits) since :func:`window_start` (members with no
    sale in the window are absent and fall to the open tier).
    """
    changes: list[Change] = []
    for member_id, current in session.execute(select(Member.id, Member.tier)).all():
        spend, visits = stats.get(member_id, (Decimal("0.00"), 0))
        target = tier_for(policy, spend, visits).name
        if target != current:
            changes.append(Change(member_id, current, target, spend, visits))
    for ch in changes:
        session.execute(
            Member.__table__.update()  # type: ignore[attr-defined]
            .where(Member.id == ch.member_id)
            .values(tier=ch.new)
        )
        session.add(
            TierChange(
                member_id=ch.member_id,
                old_tier=ch.old,
                new_tier=ch.new,
                spend_12m=ch.spend,
                visits_12m=ch.visits,
                changed_at=now,
            )
        )
    session.flush()
    return changes


def history(session: Session, member_id: int) -> Sequence[TierChange]:
    return session.scalars(
        select(TierChange)
        .where(TierChange.member_id == member_id)
        .order_by(TierChange.changed_at.desc(), TierChange.id.desc())
    ).all()
