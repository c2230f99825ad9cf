"""Attendance in the console: clock in and out (phone-first), who is on shift now; managers
plan the rota and read the weekly timesheet (hours, minutes late, absent) in the store's zone,
with a CSV export. Only staff on shift get the alerts view's pushes (vibration and tone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cloud.attendance import service as attendance
from cloud.attendance import timesheet
from cloud.auth import service as auth
from cloud.auth.models import Role
from cloud.deps import NowDep, SessionDep, audit
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.stores.localtime import local_today, zone
from cloud.web.console import FormDep, ViewerDep, render, text
from cloud.web.exceptions import ForbiddenPageError, PageNotFoundError

if TYPE_CHECKING:
    from cloud.attendance.models import RotaShift
    from cloud.stores.models import Store
    from cloud.web.console import Viewer

router = APIRouter(prefix="/console")
ERRORS = ("clock", "rota", "overlap")


def _week(store: Store, week: str, now: datetime) -> date:
    try:
        day = date.fromisoformat(week) if week else local_today(zone(store.timezone), now)
    except ValueError:
        day = local_today(zone(store.timezone), now)
    return day if date(2000, 1, 3) <= day <= date(2100, 12, 31) else date(2026, 1, 5)


def _manager(viewer: Viewer) -> bool:
    return viewer.is_admin or viewer.role is Role.MANAGER


@router.get("/attendance")
def my_attendance(viewer: ViewerDep, session: SessionDep) -> Response:
    viewer.require(Role.STAFF, Role.MANAGER)
    return viewer.to_home_store(session, "attendance")


@router.get("/s/{code}/attendance", response_class=HTMLResponse)
def attendance_page(
    code: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    week: Annotated[str, Query(max_length=10)] = "",
    error: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    mine = attendance.open_shift(session, viewer.principal.username)
    monday = timesheet.week_of(_week(store, week, now))
    sheet: list[timesheet.PersonWeek] = []
    rota: list[RotaShift] = []
    if _manager(viewer):
        monday, sheet = attendance.week_sheet(session, store.id, store.timezone, monday, now)
        start, end = timesheet.week_bounds(monday, zone(store.timezone))
        rota = list(attendance.rota(session, store.id, start, end))
    return render(
        request, "attendance.html", viewer=viewer, store=store, tz=zone(store.timezone),
        my_shift=mine, here=mine is not None and mine.store_id == store.id,
        on_shift=attendance.on_shift(session, store.id), manager=_manager(viewer),
        monday=monday, days=[monday + timedelta(days=i) for i in range(7)], sheet=sheet,
        rota=rota, staff=auth.store_staff(session, store.id),
        prev=(monday - timedelta(days=7)).isoformat(),
        next=(monday + timedelta(days=7)).isoformat(),
        error=viewer.t(f"att.err.{error}") if error in ERRORS else "",
    )  # fmt: skip


def _back(store: Store, error: str = "", week: date | None = None) -> RedirectResponse:
    query = "&".join(p for p in (f"error={error}" if error else "",
                                 f"week={week.isoformat()}" if week else "") if p)  # fmt: skip
    url = f"/console/s/{store.code}/attendance" + (f"?{query}" if query else "")
    return RedirectResponse(url, status_code=303)


@router.post("/s/{code}/attendance/clock", response_model=None)
def clock(
    code: str, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep
) -> Response:
    """``action`` in (in, out): the viewer's own shift at this store."""
    viewer.require(Role.STAFF, Role.MANAGER)
    store = viewer.store(session, code)
    action, me = text(form, "action", 4), viewer.principal.username
    try:
        if action == "in":
            shift = attendance.clock_in(session, store.id, me, now)
        elif action == "out":
            shift = attendance.clock_out(session, store.id, me, now)
        else:
            raise PageNotFoundError(f"unknown action {action!r}")
    except ConflictError:
        session.rollback()
        return _back(store, "clock")
    audit(session, viewer.principal, now, f"clock_{action}", "attendance", shift.id,
          store_id=store.id, details={"via": "console"})  # fmt: skip
    session.commit()
    return _back(store)


def _planned(form_day: str, start: str, end: str, store: Store) -> tuple[datetime, datetime]:
    """Local date and HH:MM times as UTC; an end at or before the start is the next day."""
    day = date.fromisoformat(form_day)
    tz = zone(store.timezone)
    begins = datetime.fromisoformat(f"{day.isoformat()}T{start}").replace(tzinfo=tz)
    ends = datetime.fromisoformat(f"{day.isoformat()}T{end}").replace(tzinfo=tz)
    if ends <= begins:
        ends += timedelta(days=1)
    return begins.astimezone(UTC), ends.astimezone(UTC)


@router.post("/s/{code}/attendance/rota", response_model=None)
def plan(code: str, viewer: ViewerDep, session: SessionDep, form: FormDep, now: NowDep) -> Response:
    if not _manager(viewer):
        raise ForbiddenPageError("managers plan the rota")
    store = viewer.store(session, code)
    who = text(form, "username", 64)
    try:
        starts, ends = _planned(
            text(form, "day", 10), text(form, "start", 5), text(form, "end", 5), store
        )
        if who not in auth.store_staff(session, store.id) or not 2000 <= starts.year <= 2100:
            raise ValueError(who)
        row = attendance.plan(session, store_id=store.id, username=who, starts_at=starts,
                              ends_at=ends, by=viewer.principal.username, now=now)  # fmt: skip
    except (ValueError, ValidationFailedError):
        session.rollback()
        return _back(store, "rota")
    except ConflictError:
        session.rollback()
        return _back(store, "overlap")
    audit(session, viewer.principal, now, "create", "rota", row.id, store_id=store.id,
          details={"username": who, "via": "console"})  # fmt: skip
    session.commit()
    return _back(store, week=starts.astimezone(zone(store.timezone)).date())


@router.post("/s/{code}/attendance/rota/{rota_id}/delete", response_model=None)
def unplan(
    code: str, rota_id: int, viewer: ViewerDep, session: SessionDep, now: NowDep
) -> Response:
    if not _manager(viewer):
        raise ForbiddenPageError("managers plan the rota")
    store = viewer.store(session, code)
    try:
        row = attendance.rota_shift(session, rota_id)
    except NotFoundError as exc:
        raise PageNotFoundError(str(exc)) from exc
    if row.store_id != store.id:
        raise PageNotFoundError(f"planned shift {rota_id} not found")
    week = row.starts_at.astimezone(zone(store.timezone)).date()
    audit(session, viewer.principal, now, "delete", "rota", row.id, store_id=store.id,
          details={"username": row.username, "via": "console"})  # fmt: skip
    attendance.unplan(session, row)
    session.commit()
    return _back(store, week=week)


@router.get("/s/{code}/attendance/timesheet.csv")
def timesheet_csv(
    code: str,
    viewer: ViewerDep,
    session: SessionDep,
    now: NowDep,
    week: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    if not _manager(viewer):
        raise ForbiddenPageError("managers read the timesheet")
    store = viewer.store(session, code)
    day = _week(store, week, now)
    monday, sheet = attendance.week_sheet(session, store.id, store.timezone, day, now)
    name = f"timesheet-{store.code}-{monday.isoformat()}.csv"
    return Response(
        timesheet.to_csv(sheet), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
