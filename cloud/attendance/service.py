"""Clock in and out (one open shift per user, so a double tap is a 409, not two shifts), the
rota of planned shifts, and who is on shift now (only they get the staff view's alert pushes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cloud.attendance import repository, timesheet
from cloud.attendance.models import RotaShift, Shift
from cloud.exceptions import ConflictError, NotFoundError, ValidationFailedError
from cloud.stores.localtime import zone

MAX_PLANNED = timedelta(hours=16)


def open_shift(session: Session, username: str) -> Shift | None:
    return repository.open_shift(session, username)


def clock_in(session: Session, store_id: int, username: str, now: datetime) -> Shift:
    if open_shift(session, username) is not None:
        raise ConflictError(f"{username} is clocked in already: clock out first")
    shift = Shift(store_id=store_id, username=username, clock_in_at=now)
    session.add(shift)
    session.flush()
    return shift


def clock_out(session: Session, store_id: int, username: str, now: datetime) -> Shift:
    shift = open_shift(session, username)
    if shift is None or shift.store_id != store_id:
        raise ConflictError(f"{username} is not clocked in at this store")
    shift.clock_out_at = now
    session.flush()
    return shift


def shifts(session: Session, store_id: int, start: datetime, end: datetime) -> Sequence[Shift]:
    """Shifts that began in [start, end), oldest first."""
    return repository.shifts(session, store_id, start, end)


def on_shift(session: Session, store_id: int) -> list[str]:
    """Who is clocked in at the store now."""
    return repository.clocked_in(session, store_id)


def is_on_shift(session: Session, store_id: int, username: str) -> bool:
    return username in repository.clocked_in(session, store_id)


def plan(
    session: Session,
    *,
    store_id: int,
    username: str,
    starts_at: datetime,
    ends_at: datetime,
    by: str,
    now: datetime,
) -> RotaShift:
    """Add a planned shift; one person is never planned twice at once (409)."""
    if not timedelta(0) < ends_at - starts_at <= MAX_PLANNED:
        raise ValidationFailedError("a planned shift ends after it starts, within 16 hours")
    if repository.rota_overlapping(session, username, starts_at, ends_at) is not None:
        raise ConflictError(f"{username} has a planned shift at that time already")
    row = RotaShift(
        store_id=store_id, username=username, starts_at=starts_at, ends_at=ends_at,
        created_by=by, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def rota(session: Session, store_id: int, start: datetime, end: datetime) -> Sequence[RotaShift]:
    return repository.rota(session, store_id, start, end)


def rota_shift(session: Session, rota_id: int) -> RotaShift:
    row = repository.rota_shift(session, rota_id) if 1 <= rota_id <= 2**31 - 1 else None
    if row is None:
        raise NotFoundError(f"planned shift {rota_id} not found")
    return row


def unplan(session: Session, row: RotaShift) -> None:
    session.delete(row)
    session.flush()


def week_sheet(
    session: Session, store_id: int, tz_name: str, day: date, now: datetime
) -> tuple[date, list[timesheet.PersonWeek]]:
    """The store's local week holding ``day``: planned against clocked shifts, per person."""
    if not date(2000, 1, 3) <= day <= date(2100, 12, 31):
        raise ValidationFailedError("week out of range")
    tz = zone(tz_name)
    monday = timesheet.week_of(day)
    start, end = timesheet.week_bounds(monday, tz)
    planned = repository.rota(session, store_id, start, end)
    worked = repository.shifts(session, store_id, start - timesheet.EARLY, end)
    plans = [timesheet.Planned(r.username, r.starts_at, r.ends_at) for r in planned]
    clocked = [timesheet.Clocked(s.username, s.clock_in_at, s.clock_out_at) for s in worked]
    return monday, timesheet.build(monday, tz, plans, clocked, now)
