"""Dashboard (one store) and the head-office view (every store): today's sales against the
same weekday last week up to the same time, open alerts, devices online/offline. The stats
fragment is polled by htmx every few seconds, so the page stays live without a reload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cloud.alerts.models import Alert
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep
from cloud.devices.models import Device
from cloud.notices import service as notice_service
from cloud.notices.models import Notice
from cloud.sales.models import Sale
from cloud.stores.models import Store
from cloud.web.console import ViewerDep, render

router = APIRouter(prefix="/console")
OPEN = ("active_unack", "active_ack")


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
    row = session.execute(
        select(func.coalesce(func.sum(Sale.total), 0), func.count()).where(
            Sale.store_id == store_id, Sale.completed_at >= start, Sale.completed_at < end
        )
    ).one()
    return Decimal(row[0]), int(row[1])


def store_stats(session: Session, store: Store, now: datetime) -> StoreStats:
    start, end = day_window(store, now)
    today, count = _sales(session, store.id, start, end)
    week = timedelta(days=7)
    last_week, _ = _sales(session, store.id, start - week, end - week)
    alerts = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((Alert.escalated.is_(True), 1), else_=0)), 0)
        ).where(Alert.store_id == store.id, Alert.status.in_(OPEN))
    ).one()
    devices = dict(
        session.execute(
            select(Device.online, func.count())
            .where(Device.store_id == store.id)
            .group_by(Device.online)
        ).all()
    )
    return StoreStats(
        store=store,
        today=today,
        last_week=last_week,
        sales_today=count,
        open_alerts=int(alerts[0]),
        escalated=int(alerts[1] or 0),
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
    store = viewer.home_store(session)
    if store is None:
        return RedirectResponse("/console/alerts", status_code=303)
    return RedirectResponse(f"/console/s/{store.code}", status_code=303)


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
        store=store,
        stats=store_stats(session, store, now),
        notices=notices_for(session, [store.id], now),
    )


@router.get("/s/{code}/stats", response_class=HTMLResponse)
def dashboard_stats(
    code: str, request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    store = viewer.store(session, code)
    return render(
        request,
        "_stats.html",
        viewer=viewer,
        store=store,
        stats=store_stats(session, store, now),
        now=now,
    )


@router.get("/head-office", response_class=HTMLResponse)
def head_office(
    request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> HTMLResponse:
    viewer.require(Role.MANAGER)
    rows = [store_stats(session, s, now) for s in viewer.stores(session)]
    totals = (
        sum((r.today for r in rows), Decimal(0)),
        sum((r.last_week for r in rows), Decimal(0)),
    )
    return render(request, "head_office.html", viewer=viewer, rows=rows, totals=totals, now=now)
