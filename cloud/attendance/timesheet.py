"""The weekly timesheet, pure: planned shifts (the rota) against clocked shifts, per person and
local day in the store's timezone, with hours worked and late/absent marks.

Rules (also the console's help text):
- a clocked shift counts for a planned one when it overlaps the plan, or starts at most
  ``EARLY`` before it (people clock in a little early);
- late: the first such clock-in is more than ``GRACE`` after the planned start (minutes late
  are from the planned start);
- absent: a planned shift that has ended with no clocked shift for it;
- hours: each clocked shift counts on the local day it began; an open one runs until now.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GRACE = timedelta(minutes=5)
EARLY = timedelta(hours=2)


@dataclass(frozen=True)
class Planned:
    username: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Clocked:
    username: str
    clock_in_at: datetime
    clock_out_at: datetime | None


@dataclass
class Day:
    day: date
    planned: list[tuple[datetime, datetime]] = field(default_factory=list)
    worked: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    hours: float = 0.0
    late_minutes: int | None = None
    absent: bool = False


@dataclass
class PersonWeek:
    username: str
    days: list[Day]
    hours: float = 0.0
    planned_hours: float = 0.0
    late: int = 0
    absent: int = 0


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local week in UTC (DST-safe: each end from its own local midnight)."""
    start = datetime.combine(monday, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def _matches(plan: Planned, shift: Clocked, now: datetime) -> bool:
    ended = shift.clock_out_at or now
    return shift.clock_in_at < plan.ends_at and ended > plan.starts_at - EARLY


def _mark(day: Day, plan: Planned, clocked: list[Clocked], now: datetime) -> None:
    found = [c for c in clocked if _matches(plan, c, now)]
    if not found:
        day.absent = day.absent or plan.ends_at <= now
        return
    first = min(c.clock_in_at for c in found)
    if first > plan.starts_at + GRACE:
        minutes = int((first - plan.starts_at).total_seconds() // 60)
        day.late_minutes = max(day.late_minutes or 0, minutes)


def build(
    monday: date,
    tz: ZoneInfo,
    planned: Iterable[Planned],
    clocked: Iterable[Clocked],
    now: datetime,
) -> list[PersonWeek]:
    """One row per person planned or clocked in the week, by name; days Monday to Sunday."""
    plans, shifts = list(planned), list(clocked)
    people: dict[str, PersonWeek] = {}
    days = [monday + timedelta(days=i) for i in range(7)]

    def cell(username: str, at: datetime) -> Day | None:
        local = at.astimezone(tz).date()
        if not 0 <= (local - monday).days < 7:
            return None
        row = people.setdefault(username, PersonWeek(username, [Day(d) for d in days]))
        return row.days[(local - monday).days]

    for shift in shifts:
        day = cell(shift.username, shift.clock_in_at)
        if day is not None:
            out = shift.clock_out_at
            day.worked.append(
                (shift.clock_in_at.astimezone(tz), out.astimezone(tz) if out else None)
            )
            day.hours += ((out or now) - shift.clock_in_at).total_seconds() / 3600
    for plan in plans:
        day = cell(plan.username, plan.starts_at)
        if day is not None:
            day.planned.append((plan.starts_at.astimezone(tz), plan.ends_at.astimezone(tz)))
            _mark(day, plan, [c for c in shifts if c.username == plan.username], now)
    for row in people.values():
        for day in row.days:
            day.hours = round(day.hours, 2)
            row.hours += day.hours
            row.planned_hours += sum((e - s).total_seconds() / 3600 for s, e in day.planned)
            row.late += day.late_minutes is not None
            row.absent += day.absent
        row.hours, row.planned_hours = round(row.hours, 2), round(row.planned_hours, 2)
    return sorted(people.values(), key=lambda r: r.username)


CSV_HEADER = (
    "username", "date", "planned", "clock_in", "clock_out", "hours", "late_minutes", "absent"
)  # fmt: skip


def to_csv(rows: Iterable[PersonWeek]) -> str:
    """One line per person and day with anything planned or worked, then a weekly total line
    per person (date ``total``); times are local ``HH:MM``, several joined with ``;``."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_HEADER)
    hm = "%H:%M"
    for row in rows:
        for d in row.days:
            if not d.planned and not d.worked:
                continue
            out.writerow([
                row.username, d.day.isoformat(),
                ";".join(f"{s.strftime(hm)}-{e.strftime(hm)}" for s, e in d.planned),
                ";".join(i.strftime(hm) for i, _ in d.worked),
                ";".join(o.strftime(hm) if o else "" for _, o in d.worked),
                f"{d.hours:.2f}", "" if d.late_minutes is None else d.late_minutes,
                "yes" if d.absent else "",
            ])  # fmt: skip
        out.writerow([row.username, "total", f"{row.planned_hours:.2f}", "", "",
                      f"{row.hours:.2f}", row.late, row.absent])  # fmt: skip
    return buf.getvalue()
