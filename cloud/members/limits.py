"""Head office's limits on the coupons and campaigns that managers create.

A manager may issue a coupon or create a campaign only within these terms: the largest
discount (percent and amount), the longest validity, how many codes one campaign may issue,
and how many codes one person may issue by hand in 24 hours. Head office (admin, hq) sets them
and is not bound by them. A refusal is a 422 whose message names the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.exceptions import ValidationFailedError
from cloud.members.models import Coupon, CouponLimits

LIMITS_ID = 1


class CouponLimitError(ValidationFailedError):
    """Coupon terms beyond a head-office limit; ``limit`` names it."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(f"{message} (head-office limit {limit})")
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    max_percent_off: Decimal = Decimal(20)
    max_amount_off: Decimal = Decimal("50.00")
    max_valid_days: int = 31
    max_campaign_coupons: int = 1000
    max_issued_per_day: int = 20
    updated_at: datetime | None = None
    updated_by: str = ""


DEFAULTS = Limits()


def current(session: Session) -> Limits:
    row = session.get(CouponLimits, LIMITS_ID)
    if row is None:
        return DEFAULTS
    return Limits(
        max_percent_off=row.max_percent_off,
        max_amount_off=row.max_amount_off,
        max_valid_days=row.max_valid_days,
        max_campaign_coupons=row.max_campaign_coupons,
        max_issued_per_day=row.max_issued_per_day,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def save(session: Session, limits: Limits, *, now: datetime, by: str) -> Limits:
    row = session.get(CouponLimits, LIMITS_ID)
    if row is None:
        row = CouponLimits(id=LIMITS_ID)
        session.add(row)
    row.max_percent_off = limits.max_percent_off
    row.max_amount_off = limits.max_amount_off
    row.max_valid_days = limits.max_valid_days
    row.max_campaign_coupons = limits.max_campaign_coupons
    row.max_issued_per_day = limits.max_issued_per_day
    row.updated_at, row.updated_by = now, by
    session.flush()
    return current(session)


def check_terms(limits: Limits, *, kind: str, value: Decimal, valid_days: int) -> None:
    """The discount and the validity of one coupon (or of a campaign's coupons)."""
    if kind == "percent_off" and value > limits.max_percent_off:
        raise CouponLimitError(
            "max_percent_off",
            f"a {value} % coupon is above the {limits.max_percent_off} % allowed",
        )
    if kind == "amount_off" and value > limits.max_amount_off:
        raise CouponLimitError(
            "max_amount_off",
            f"a {value} off coupon is above the {limits.max_amount_off} allowed",
        )
    if valid_days > limits.max_valid_days:
        raise CouponLimitError(
            "max_valid_days",
            f"{valid_days} days of validity is above the {limits.max_valid_days} allowed",
        )


def check_campaign_size(limits: Limits, max_coupons: int) -> None:
    if max_coupons > limits.max_campaign_coupons:
        raise CouponLimitError(
            "max_campaign_coupons",
            f"a campaign of {max_coupons} coupons is above the "
            f"{limits.max_campaign_coupons} allowed",
        )


def check_daily_count(session: Session, limits: Limits, user_id: int, now: datetime) -> None:
    """Codes issued by hand by this user in the last 24 hours, this one included."""
    issued = session.scalar(
        select(func.count(Coupon.id)).where(
            Coupon.issued_by_id == user_id, Coupon.issued_at > now - timedelta(days=1)
        )
    )
    if int(issued or 0) + 1 > limits.max_issued_per_day:
        raise CouponLimitError(
            "max_issued_per_day",
            f"{issued} coupons issued in the last 24 hours; {limits.max_issued_per_day} allowed",
        )
