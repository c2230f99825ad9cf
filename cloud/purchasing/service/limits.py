"""Head office's limit on what a store manager approves alone; above it, head office (hq or
admin) approves. Same shape as the coupon limits (cloud.members.limits): one row, defaults
when none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud.exceptions import ValidationFailedError
from cloud.purchasing import repository

DEFAULT_MANAGER_MAX = Decimal("5000.00")


@dataclass(frozen=True)
class ApprovalLimit:
    manager_max_amount: Decimal = DEFAULT_MANAGER_MAX
    updated_at: datetime | None = None
    updated_by: str = ""


def current(session: Session) -> ApprovalLimit:
    row = repository.limits(session)
    if row is None:
        return ApprovalLimit()
    return ApprovalLimit(row.manager_max_amount, row.updated_at, row.updated_by)


def save(session: Session, amount: Decimal, *, now: datetime, by: str) -> ApprovalLimit:
    if amount < 0:
        raise ValidationFailedError("the approval limit must not be negative")
    repository.save_limits(session, manager_max_amount=amount, updated_at=now, updated_by=by)
    return current(session)
