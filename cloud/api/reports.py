"""/reports: the SPEC's daily sales sums, and every report as JSON, CSV, SVG chart or a
printable page (``?format=json|csv|svg|html``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request, Response

from cloud.auth.service import Principal
from cloud.deps import ManagerUser, NowDep, SessionDep, scope_store_ids, store_for
from cloud.exceptions import ValidationFailedError
from cloud.reports import activity, stock
from cloud.reports import service as reports
from cloud.reports.exceptions import ReportError
from cloud.reports.render import Format, respond
from cloud.reports.schemas import DailySalesOut, ReportOut
from cloud.reports.table import Report
from cloud.stores import service as stores
from cloud.stores.localtime import local_today

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/reports", tags=["reports"])

MAX_DAYS = 366


@router.get("/sales/daily", response_model=list[DailySalesOut])
def daily_sales(
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    from_: Annotated[
        date | None, Query(alias="from", description="First business day; default: 'to'")
    ] = None,
    to: Annotated[
        date | None, Query(description="Last business day; default: today in the stores' zone")
    ] = None,
    store: Annotated[str | None, Query(max_length=32, description="Store code")] = None,
) -> list[DailySalesOut]:
    """One row per store and local business day that has sales."""
    from_, to = default_days(session, user, store, now, from_, to)
    if to < from_:
        raise ValidationFailedError("'to' is before 'from'")
    if (to - from_).days >= MAX_DAYS:
        raise ValidationFailedError(f"at most {MAX_DAYS} days per request")
    if from_ <= date.min + timedelta(days=2) or to >= date.max - timedelta(days=2):
        raise ValidationFailedError("date out of range")
    totals = reports.daily_sales(session, scope_store_ids(session, user, store), from_, to)
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
        for t in totals
    ]


def default_days(
    session: Session,
    user: Principal,
    store: str | None,
    now: datetime,
    first: date | None,
    last: date | None,
) -> tuple[date, date]:
    """Missing dates default to today in the zone of the stores asked for (SPEC §4: the
    store's business day, not the UTC date); UTC when those stores are in different zones."""
    if last is None:
        ids = scope_store_ids(session, user, store)
        last = local_today(stores.common_zone_of(session, ids), now)
    return (first or last), last


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
    feedback = "feedback"


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
    elif name is ReportName.feedback:
        rep = activity.feedback_report(session, ids, first, last)
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
    from_: Annotated[
        date | None, Query(alias="from", description="First local business day; default: 'to'")
    ] = None,
    to: Annotated[
        date | None, Query(description="Last local business day; default: the stores' today")
    ] = None,
    store: Annotated[
        str | None, Query(max_length=32, description="Store code; all if absent")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows for top/slow sellers")] = 50,
    format: Annotated[Format, Query(description="json, csv, svg (chart) or html (print)")] = "json",
) -> Response:
    """Money is a decimal string; days and hours are each store's local business time."""
    from_, to = default_days(session, user, store, now, from_, to)
    rep = build_report(session, user, name, from_, to, store, limit, now)
    csv_url = "?" + request.url.include_query_params(format="csv").query
    return respond(rep, format, csv_url)
