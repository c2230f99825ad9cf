"""/attendance: staff and managers clock in and out at their stores; managers list shifts by
the store's local business days (default: today there), plan the rota, and read the weekly
timesheet (JSON or CSV) with hours and late/absent marks in the store's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response

from cloud.attendance import service, timesheet
from cloud.attendance.models import RotaShift, Shift
from cloud.attendance.schemas import (
    ClockIn,
    DayOut,
    PersonWeekOut,
    RotaIn,
    RotaOut,
    ShiftOut,
    TimesheetOut,
)
from cloud.auth import service as auth
from cloud.deps import (
    ManagerUser,
    NowDep,
    SessionDep,
    StaffUser,
    audit,
    check_store_id,
    store_for,
)
from cloud.exceptions import ValidationFailedError
from cloud.stores.localtime import local_today, zone

router = APIRouter(prefix="/attendance", tags=["attendance"])
MAX_DAYS = 93


def _out(shift: Shift, store: str) -> ShiftOut:
    return ShiftOut(
        id=shift.id,
        store=store,
        username=shift.username,
        clock_in_at=shift.clock_in_at,
        clock_out_at=shift.clock_out_at,
    )


@router.post("/clock-in", response_model=ShiftOut, status_code=status.HTTP_201_CREATED)
def clock_in(body: ClockIn, user: StaffUser, session: SessionDep, now: NowDep) -> ShiftOut:
    """Start a shift at a store of one's own (409 when a shift is open already)."""
    store = store_for(session, user, body.store)
    shift = service.clock_in(session, store.id, user.username, now)
    audit(session, user, now, "clock_in", "attendance", shift.id, store_id=store.id)
    out = _out(shift, store.code)
    session.commit()
    return out


@router.post("/clock-out", response_model=ShiftOut)
def clock_out(body: ClockIn, user: StaffUser, session: SessionDep, now: NowDep) -> ShiftOut:
    """End one's open shift at that store (409 when none is open there)."""
    store = store_for(session, user, body.store)
    shift = service.clock_out(session, store.id, user.username, now)
    audit(session, user, now, "clock_out", "attendance", shift.id, store_id=store.id)
    out = _out(shift, store.code)
    session.commit()
    return out


@router.get("", response_model=list[ShiftOut])
def list_shifts(
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
    from_: Annotated[
        date | None, Query(alias="from", description="First local day; default: 'to'")
    ] = None,
    to: Annotated[date | None, Query(description="Last local day; default: today there")] = None,
) -> list[ShiftOut]:
    """Shifts that began on the store's local days [from, to]."""
    row = store_for(session, user, store)
    tz = zone(row.timezone)
    last = to or local_today(tz, now)
    first = from_ or last
    if last < first or (last - first).days >= MAX_DAYS:
        raise ValidationFailedError(f"'to' before 'from', or more than {MAX_DAYS} days")
    if first <= date.min + timedelta(days=2) or last >= date.max - timedelta(days=2):
        raise ValidationFailedError("date out of range")
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return [_out(s, row.code) for s in service.shifts(session, row.id, start, end)]


def _rota_out(row: RotaShift, store: str) -> RotaOut:
    return RotaOut(
        id=row.id, store=store, username=row.username, starts_at=row.starts_at,
        ends_at=row.ends_at, created_by=row.created_by,
    )  # fmt: skip


@router.post("/rota", response_model=RotaOut, status_code=status.HTTP_201_CREATED)
def plan_shift(body: RotaIn, user: ManagerUser, session: SessionDep, now: NowDep) -> RotaOut:
    """Plan a shift for staff of the store (409 when it overlaps one of theirs)."""
    store = store_for(session, user, body.store)
    if body.username not in auth.store_staff(session, store.id):
        raise ValidationFailedError(f"{body.username!r} is not staff of this store")
    row = service.plan(
        session, store_id=store.id, username=body.username, starts_at=body.starts_at,
        ends_at=body.ends_at, by=user.username, now=now,
    )  # fmt: skip
    audit(session, user, now, "create", "rota", row.id, store_id=store.id,
          details={"username": row.username})  # fmt: skip
    out = _rota_out(row, store.code)
    session.commit()
    return out


@router.get("/rota", response_model=list[RotaOut])
def list_rota(
    user: StaffUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
    week: Annotated[date | None, Query(description="Any local day of the week")] = None,
) -> list[RotaOut]:
    """The store's planned shifts of one local week (Monday to Sunday; default: this week)."""
    row = store_for(session, user, store)
    tz = zone(row.timezone)
    start, end = timesheet.week_bounds(_monday(week or local_today(tz, now)), tz)
    return [_rota_out(r, row.code) for r in service.rota(session, row.id, start, end)]


@router.delete("/rota/{rota_id}", status_code=status.HTTP_204_NO_CONTENT)
def unplan_shift(
    rota_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    row = service.rota_shift(session, rota_id)
    check_store_id(user, row.store_id)
    audit(session, user, now, "delete", "rota", row.id, store_id=row.store_id,
          details={"username": row.username})  # fmt: skip
    service.unplan(session, row)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _monday(day: date) -> date:
    if not date(2000, 1, 3) <= day <= date(2100, 12, 31):
        raise ValidationFailedError("week out of range")
    return timesheet.week_of(day)


@router.get(
    "/timesheet",
    response_model=TimesheetOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def weekly_timesheet(
    user: ManagerUser,
    session: SessionDep,
    now: NowDep,
    store: Annotated[str, Query(min_length=1, max_length=32, description="Store code")],
    week: Annotated[date | None, Query(description="Any local day of the week")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> TimesheetOut | Response:
    """Per person and local day: planned and clocked shifts, hours, minutes late, absent.
    ``format=csv``: the same as a spreadsheet (local HH:MM times, a total line per person)."""
    row = store_for(session, user, store)
    monday, people = service.week_sheet(
        session, row.id, row.timezone, week or local_today(zone(row.timezone), now), now
    )
    if format == "csv":
        name = f"timesheet-{row.code}-{monday.isoformat()}.csv"
        return Response(
            timesheet.to_csv(people), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip
    return TimesheetOut(
        store=row.code, timezone=row.timezone, week=monday,
        people=[_person_out(p) for p in people],
    )  # fmt: skip


def _person_out(p: timesheet.PersonWeek) -> PersonWeekOut:
    days = [
        DayOut(
            date=d.day,
            planned=d.planned,
            worked=d.worked,
            hours=d.hours,
            late_minutes=d.late_minutes,
            absent=d.absent,
        )
        for d in p.days
    ]
    return PersonWeekOut(username=p.username, hours=p.hours, planned_hours=p.planned_hours,
                         late=p.late, absent=p.absent, days=days)  # fmt: skip
