"""Finance queries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud.finance.models import RevenueEntry


def totals(session: Session, store_id: int, start: datetime, end: datetime) -> dict[str, Decimal]:
    row = session.execute(
        select(
            func.count(RevenueEntry.id),
            func.coalesce(func.sum(RevenueEntry.revenue), 0),
            func.coalesce(func.sum(RevenueEntry.discount), 0),
            func.coalesce(func.sum(RevenueEntry.tax), 0),
            func.coalesce(func.sum(RevenueEntry.cost), 0),
        ).where(
            RevenueEntry.store_id == store_id,
            RevenueEntry.occurred_at >= start,
            RevenueEntry.occurred_at < end,
        )
    ).one()
    return {
        "count": Decimal(row[0]),
        "revenue": Decimal(row[1]),
        "discount": Decimal(row[2]),
        "tax": Decimal(row[3]),
        "cost": Decimal(row[4]),
    }
