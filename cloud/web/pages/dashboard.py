"""Dashboard (one store) and the head-office view (every store): today's sales against the
same weekday last week up to the same time, open alerts, devices online/offline. The stats
fragment is polled by htmx every few seconds, so the page stays live without a reload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.alerts import service as alert_service
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.devices import service as device_service
from cloud.notices import service as notice_service
from cloud.notices.models import Notice
from cloud.reports import service as reports
from cloud.reports.store_day import chain_day, store_day
from cloud.stores.models import Store
from cloud.web.console import Viewer, ViewerDep, render
from cloud.web.svg import Series, line_chart

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/console")


@dataclass(frozen=True)
class StoreStats:
    store: Store
    today: Decimal
    last_week: Decimal
    sales_today: int
    open_alerts: int
    escalated: int
    online: int
    offline: int

    @property
    def change_pct(self) -> Decimal | None:
        if self.last_week == 0:
            return None
        return ((self.today - self.last_week) / self.last_week * 100).quantize(Decimal("0.1"))


def day_window(store: Store, now: datetime) -> tuple[datetime, datetime]:
    """Local midnight of the store's today, in UTC, and ``now``."""
    try:
        tz = ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time(0), tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), now


def _sales(session: Session, store_id: int, start: datetime, end: datetime) -> tuple[Decimal, int]:
    return reports.takings(session, store_id, start, end)


def store_stats(session: Session, store: Store, now: datetime) -> StoreStats:
    start, end = day_window(store, now)
    today, count = _sales(session, store.id, start, end)
    week = timedelta(days=7)
    last_week, _ = _sales(session, store.id, start - week, end - week)
    open_alerts, escalated = alert_service.open_counts(session, store.id)
    devices = device_service.online_counts(session, store.id)
    return StoreStats(
        store=store,
        today=today,
        last_week=last_week,
        sales_today=count,
        open_alerts=open_alerts,
        escalated=escalated,
        online=int(devices.get(True, 0)),
        offline=int(devices.get(False, 0)),
    )


def notices_for(session: Session, store_ids: list[int], now: datetime) -> list[Notice]:
    """Live notices (cloud.notices) of these stores and the chain-wide ones, newest first."""
    return notice_service.current_for(session, store_ids, now)


@router.get("", response_model=None)
def home(viewer: ViewerDep, session: SessionDep) -> Response:
    if viewer.role in (Role.STAFF, Role.CASHIER):
        return RedirectResponse("/console/alerts", status_code=303)
    if viewer.is_admin:
        return RedirectResponse("/console/head-office", status_code=303)
    if viewer.role is Role.HQ:
        return RedirectResponse("/console/products", status_code=303)
    store = viewer.home_store(session)
    if store is None:
        return RedirectResponse("/console/alerts", status_code=303)
    return RedirectResponse(f"/console/s/{store.code}", status_code=303)


def _day(viewer: Viewer, session: Session, store: Store, now: datetime) -> dict[str, Any]:
    """Everything the store dashboard and its live fragment show."""
    day = store_day(session, store, now)
    chart = line_chart(
        day.hours,
        [
            Series(viewer.t("dash.today"), day.today),
            Series(viewer.t("dash.same_day_last_week"), list(day.last_week), dashed=True),
        ],
        label=viewer.t("dash.by_hour_label"),
        chart_id="hourly-chart",
    )
    return {
        "store": store,
        "stats": store_stats(session, store, now),
        "day": day,
        "chart": chart,
        "now": now,
    }


@router.get("/s/{code}", response_class=HTMLResponse)
def dashboard(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    store = viewer.store(session, code)
    return render(
        request,
        "dashboard.html",
        viewer=viewer,
        notices=notices_for(session, [store.id], now),
        **_day(viewer, session, store, now),
    )


@router.get("/s/{code}/stats", response_class=HTMLResponse)
def dashboard_stats(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    store = viewer.store(session, code)
    return render(request, "_stats.html", viewer=viewer, **_day(viewer, session, store, now))


@router.get("/head-office", response_class=HTMLResponse)
def head_office(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    stores = viewer.stores(session)
    rows = [store_stats(session, s, now) for s in stores]
    totals = (
        sum((r.today for r in rows), Decimal(0)),
        sum((r.last_week for r in rows), Decimal(0)),
    )
    chain = chain_day([store_day(session, s, now) for s in stores])
    chart = line_chart(
        [f"{h:02d}" for h in range(24)],
        [
            Series(viewer.t("dash.today"), chain.today),
            Series(viewer.t("dash.same_day_last_week"), chain.last_week, dashed=True),
        ],
        label=viewer.t("dash.by_hour_label"),
        chart_id="chain-chart",
    )
    return render(
        request,
        "head_office.html",
        viewer=viewer,
        rows=rows,
        totals=totals,
        now=now,
        chain=chain,
        chart=chart,
    )
