"""Report pages over the reports, finance and forecast services: sales by day/hour/product/
category/store, top and slow sellers, inventory turnover, P&L, Z report settlement and
reorder suggestions. Charts are the server-side SVG of ``cloud.reports.charts`` (works
offline and prints); every table links to the API's CSV and printable versions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.datastructures import FormData

from cloud.api.reports import MAX_DAYS, SINGLE_STORE, ReportName, build_report
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.exceptions import CloudError
from cloud.finance import service as finance
from cloud.finance.periods import PERIODS
from cloud.forecast import service as forecast
from cloud.purchasing.service import payables
from cloud.reports.charts import render as chart_svg
from cloud.reports.table import Chart, Report
from cloud.stores.localtime import local_today, zone
from cloud.stores.models import Store
from cloud.web.console import FieldErrors, Viewer, ViewerDep, int_field, render, text
from cloud.web.formats import DEFAULT_CURRENCY
from cloud.web.pages.inventory import parse_day
from cloud.web.report_words import chart_report, localize
from cloud.web.svg import empty_chart

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")
REPORTS = [r.value for r in ReportName]


def _range(params: Any, errors: FieldErrors, viewer: Viewer, today: date) -> tuple[date, date]:
    last = parse_day(text(params, "to", 20), errors, viewer, "to") or today
    first = parse_day(text(params, "from", 20), errors, viewer, "from") or last - timedelta(6)
    if not errors and last < first:
        errors["to"] = viewer.t("rep.to_before_from")
    elif not errors and ((last - first).days >= MAX_DAYS or first.year < 1901):
        errors["from"] = viewer.t("rep.too_long", n=MAX_DAYS)
    return first, last


def _store(
    session: Session, viewer: Viewer, code: str, errors: FieldErrors, required: bool
) -> Store | None:
    stores = viewer.stores(session)
    if not code:
        if required and stores:
            return stores[0]
        if required:
            errors["store"] = viewer.t("err.required")
        return None
    found = [s for s in stores if s.code == code]
    if not found:
        errors["store"] = viewer.t("err.unknown")
        return None
    return found[0]


def _today(viewer: Viewer, store: Store | None, now: datetime) -> date:
    """Today in the chosen store's zone, else in the zone the viewer's stores share."""
    return local_today(zone(store.timezone) if store else viewer.tz, now)


def _chart(report: Report | None) -> Markup:
    # charts.render escapes every label it writes; the SVG is ours, not user HTML.
    if report is None or not report.rows:
        return Markup("")  # the table says "no data" in the reader's language
    return Markup(chart_svg(report))  # noqa: S704


def _api_links(path: str, query: dict[str, str]) -> dict[str, str]:
    return {
        "csv": f"/api/v1{path}?{urlencode(query | {'format': 'csv'})}",
        "print": f"/api/v1{path}?{urlencode(query | {'format': 'html'})}",
    }


def _page(
    request: Request, viewer: Viewer, session: Session, kind: str, **ctx: Any
) -> HTMLResponse:
    errors: FieldErrors = ctx.get("errors", FieldErrors())
    report = ctx.get("report")
    if isinstance(report, Report):
        ctx["chart"] = (
            _chart(chart_report(report, viewer.t))
            if report.rows
            else empty_chart(viewer.t("rep.no_data"))
        )
        ctx["report"] = localize(report, viewer.t, DEFAULT_CURRENCY)
    return render(
        request,
        f"reports/{kind}.html",
        viewer=viewer,
        tab=kind,
        stores=viewer.stores(session),
        status_code=422 if errors else 200,
        **ctx,
    )


@router.get("/reports", response_class=HTMLResponse)
def sales_reports(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    p = FormData(list(request.query_params.multi_items()))
    errors = FieldErrors()
    name = text(p, "report", 32) or "sales-by-day"
    if name not in REPORTS:
        errors["report"] = viewer.t("err.unknown")
        name = "sales-by-day"
    single = ReportName(name) in SINGLE_STORE
    store = _store(session, viewer, text(p, "store", 32), errors, required=single)
    first, last = _range(p, errors, viewer, _today(viewer, store, now))
    limit = int_field(p, "limit", errors, viewer.t, required=False, minimum=1, maximum=1000) or 20
    report, links = None, {}
    if not errors:
        try:
            report = build_report(
                session,
                viewer.principal,
                ReportName(name),
                first,
                last,
                store.code if store else None,
                limit,
                now,
            )
        except CloudError as exc:
            errors["report"] = str(exc)
        query = {"from": first.isoformat(), "to": last.isoformat(), "limit": str(limit)}
        links = _api_links(f"/reports/{name}", query | ({"store": store.code} if store else {}))
    return _page(
        request,
        viewer,
        session,
        "sales",
        errors=errors,
        report=report,
        chart=_chart(report),
        links=links,
        reports=REPORTS,
        report_name=name,
        first=first,
        last=last,
        limit=limit,
        store_code=store.code if store else "",
    )


@router.get("/reports/pnl", response_class=HTMLResponse)
def pnl(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    p = FormData(list(request.query_params.multi_items()))
    errors = FieldErrors()
    store = _store(session, viewer, text(p, "store", 32), errors, required=True)
    today = _today(viewer, store, now)
    last = parse_day(text(p, "to", 20), errors, viewer, "to") or today
    first = parse_day(text(p, "from", 20), errors, viewer, "from") or last.replace(day=1)
    if not errors and (last < first or (last - first).days > 366 * 3 or first.year < 1901):
        errors["to"] = viewer.t("rep.to_before_from")
    period = text(p, "period", 8) or "day"
    if period not in PERIODS:
        errors["period"] = viewer.t("err.unknown")
    rows: list[finance.PnlRow] = []
    report, links = None, {}
    if not errors and store is not None:
        try:
            rows = finance.profit_and_loss(session, store, period, first, last)  # type: ignore[arg-type]
        except CloudError as exc:
            errors["from"] = str(exc)
        report = Report(
            "profit-and-loss",
            viewer.t("rep.pnl"),
            ["start", "net_profit"],
            [[r.start, r.net_profit] for r in rows],
            chart=Chart("start", "net_profit"),
        )
        query = {"store": store.code, "from": first.isoformat(), "to": last.isoformat()}
        links = _api_links("/finance/pnl", query | {"period": period})
    owed = payables.payables(session, [store.id], today) if store is not None else []
    return _page(
        request,
        viewer,
        session,
        "pnl",
        errors=errors,
        rows=rows,
        payables=owed,
        chart=_chart(report),
        links=links,
        periods=PERIODS,
        period=period,
        first=first,
        last=last,
        store_code=store.code if store else "",
    )


@router.get("/reports/settlement", response_class=HTMLResponse)
def settlement(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    p = FormData(list(request.query_params.multi_items()))
    errors = FieldErrors()
    store = _store(session, viewer, text(p, "store", 32), errors, required=True)
    yesterday = _today(viewer, store, now) - timedelta(1)
    day = parse_day(text(p, "date", 20), errors, viewer, "date") or yesterday
    rows: list[Any] = []
    if not errors and store is not None and day.year > 1900:
        try:
            rows = finance.settle_day(session, store, day)
        except CloudError as exc:
            errors["date"] = str(exc)
    return _page(
        request,
        viewer,
        session,
        "settlement",
        errors=errors,
        rows=rows,
        day=day,
        store_code=store.code if store else "",
    )


@router.get("/reports/reorder", response_class=HTMLResponse)
def reorder(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    p = FormData(list(request.query_params.multi_items()))
    errors = FieldErrors()
    lead = (
        int_field(
            p,
            "lead_days",
            errors,
            viewer.t,
            required=False,
            minimum=1,
            maximum=forecast.MAX_HORIZON,
        )
        or 3
    )
    store = _store(session, viewer, text(p, "store", 32), errors, required=True)
    report, links = None, {}
    if not errors and store is not None:
        try:
            today = _today(viewer, store, now)
            report = forecast.reorder_report(session, store.id, today, lead)
        except CloudError as exc:
            errors["lead_days"] = str(exc)
        links = _api_links("/forecast/reorder", {"store": store.code, "lead_days": str(lead)})
    return _page(
        request,
        viewer,
        session,
        "reorder",
        errors=errors,
        report=report,
        chart=_chart(report),
        links=links,
        lead=lead,
        store_code=store.code if store else "",
    )
