"""/reports: daily sales sums (a reports teammate extends this with full reports)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cloud.deps import ManagerUser, SessionDep, scope_store_ids
from cloud.exceptions import ValidationFailedError
from cloud.reports.schemas import DailySalesOut
from cloud.reports.service import SaleRow, daily_totals
from cloud.sales.models import Sale
from cloud.stores.models import Store

router = APIRouter(prefix="/reports", tags=["reports"])

MAX_DAYS = 366


@router.get("/sales/daily", response_model=list[DailySalesOut])
def daily_sales(
    user: ManagerUser,
    session: SessionDep,
    from_: Annotated[date, Query(alias="from", description="First business day (inclusive)")],
    to: Annotated[date, Query(description="Last business day (inclusive)")],
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
) -> list[DailySalesOut]:
    """One row per store and local business day that has sales."""
    if to < from_:
        raise ValidationFailedError("'to' is before 'from'")
    if (to - from_).days >= MAX_DAYS:
        raise ValidationFailedError(f"at most {MAX_DAYS} days per request")
    if from_ <= date.min + timedelta(days=2) or to >= date.max - timedelta(days=2):
        raise ValidationFailedError("date out of range")
    # Widen by a day on each side in UTC; local days are cut exactly in daily_totals.
    start = datetime.combine(from_ - timedelta(days=1), time.min, tzinfo=UTC)
    end = datetime.combine(to + timedelta(days=2), time.min, tzinfo=UTC)
    stmt = (
        select(
            Store.code,
            Store.timezone,
            Sale.completed_at,
            Sale.currency,
            Sale.subtotal,
            Sale.discount_total,
            Sale.tax_total,
            Sale.total,
        )
        .join(Store, Store.id == Sale.store_id)
        .where(Sale.completed_at >= start, Sale.completed_at < end)
    )
    ids = scope_store_ids(session, user, store)
    if ids is not None:
        stmt = stmt.where(Sale.store_id.in_(ids))
    rows = (SaleRow(*r) for r in session.execute(stmt))
    return [
        DailySalesOut(
            store=t.store,
            date=t.day,
            currency=t.currency,
            sales_count=t.sales_count,
            subtotal=t.subtotal,
            discount_total=t.discount_total,
            tax_total=t.tax_total,
            total=t.total,
        )
        for t in daily_totals(rows, from_, to)
    ]
