"""/reports: the SPEC's daily sales sums, and every report as JSON, CSV, SVG chart or a
printable page (``?format=json|csv|svg|html``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from cloud.deps import ManagerUser, NowDep, SessionDep, scope_store_ids, store_for
from cloud.exceptions import ValidationFailedError
from cloud.reports import activity, stock
from cloud.reports import service as reports
from cloud.reports.exceptions import ReportError
from cloud.reports.render import Format, respond
from cloud.reports.schemas import DailySalesOut, ReportOut
from cloud.reports.service import SaleRow, daily_totals
from cloud.reports.table import Report
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


class ReportName(StrEnum):
    sales_by_day = "sales-by-day"
    sales_by_week = "sales-by-week"
    sales_by_month = "sales-by-month"
    sales_by_hour = "sales-by-hour"
    sales_by_store = "sales-by-store"
    sales_by_product = "sales-by-product"
    sales_by_category = "sales-by-category"
    top_sellers = "top-sellers"
    slow_sellers = "slow-sellers"
    promotions = "promotions"
    members = "members"
    inventory = "inventory"
    stock_distribution = "stock-distribution"
    shrink = "shrink"
    alerts = "alerts"


SINGLE_STORE = {ReportName.inventory, ReportName.shrink}


def build_report(
    session: SessionDep,
    user: ManagerUser,
    name: ReportName,
    first: date,
    last: date,
    store: str | None,
    limit: int,
    now: datetime,
) -> Report:
    """The named report over [first, last] for the stores the caller may see."""
    if last < first:
        raise ReportError("'to' is before 'from'")
    if (last - first).days >= MAX_DAYS:
        raise ReportError(f"at most {MAX_DAYS} days per request")
    if first <= date.min + timedelta(days=MAX_DAYS + 2) or last >= date.max - timedelta(days=2):
        raise ReportError("date out of range")
    ids = scope_store_ids(session, user, store)
    if name in SINGLE_STORE:
        if store is None:
            raise ReportError(f"report {name.value} needs ?store=")
        sid = store_for(session, user, store).id
        rep = (
            stock.stock_report(session, sid, first, last, now)
            if name is ReportName.inventory
            else stock.shrink_report(session, sid, first, last, now)
        )
    elif name.value.startswith("sales-by-") and name.value[9:] in ("day", "week", "month", "hour"):
        period = name.value[9:]
        rep = reports.sales_report(session, ids, period, first, last)  # type: ignore[arg-type]
    elif name is ReportName.sales_by_store:
        rep = reports.sales_by_store(session, ids, first, last)
    elif name is ReportName.sales_by_product:
        rep = reports.product_report(session, ids, first, last)
    elif name is ReportName.top_sellers:
        rep = reports.product_report(
            session, ids, first, last, limit=limit, name="top-sellers", title="Top sellers"
        )
    elif name is ReportName.slow_sellers:
        rep = reports.slow_sellers(session, ids, first, last, limit=limit)
    elif name is ReportName.sales_by_category:
        rep = reports.category_report(session, ids, first, last)
    elif name is ReportName.promotions:
        rep = activity.promotion_report(session, ids, first, last)
    elif name is ReportName.members:
        rep = activity.member_report(session, ids, first, last)
    elif name is ReportName.stock_distribution:
        rep = stock.distribution_report(session, ids)
    else:
        rep = activity.alert_report(session, ids, first, last)
    rep.params = {"from": first.isoformat(), "to": last.isoformat(), "store": store or "*"}
    return rep


@router.get(
    "/{name}",
    response_model=ReportOut,
    responses={200: {"content": {"text/csv": {}, "image/svg+xml": {}, "text/html": {}}}},
    summary="A report as JSON, CSV, an SVG chart or a printable page",
)
def report(
    request: Request,
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    name: ReportName,
    from_: Annotated[date, Query(alias="from", description="First local business day")],
    to: Annotated[date, Query(description="Last local business day (inclusive)")],
    store: Annotated[
        str | None, Query(max_length=32, description="Store code; all if absent")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows for top/slow sellers")] = 50,
    format: Annotated[Format, Query(description="json, csv, svg (chart) or html (print)")] = "json",
) -> Response:
    """Money is a decimal string; days and hours are each store's local business time."""
    rep = build_report(session, user, name, from_, to, store, limit, now)
    csv_url = "?" + request.url.include_query_params(format="csv").query
    return respond(rep, format, csv_url)
