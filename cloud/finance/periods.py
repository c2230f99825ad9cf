"""Calendar arithmetic for reporting periods and monthly recurring expenses. Pure."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Literal

Period = Literal["day", "week", "month", "year"]
PERIODS: tuple[Period, ...] = ("day", "week", "month", "year")


def period_start(day: date, period: Period) -> date:
    """Start of the period holding ``day``; weeks start on Monday (ISO)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(start: date, period: Period) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return add_months(start, 1)
    return start.replace(year=start.year + 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def buckets(first: date, last: date, period: Period) -> list[tuple[date, date]]:
    """Periods touching [first, last], each as (start, last day), clipped to the range."""
    out: list[tuple[date, date]] = []
    start = period_start(first, period)
    while start <= last:
        nxt = next_start(start, period)
        out.append((max(start, first), min(nxt - timedelta(days=1), last)))
        start = nxt
    return out


def monthly_occurrences(
    day_of_month: int, starts_on: date, ends_on: date | None, first: date, last: date
) -> Iterator[date]:
    """Dates in [first, last] on which a monthly expense falls (day clamped to month end)."""
    month = max(first, starts_on).replace(day=1)
    stop = min(last, ends_on) if ends_on is not None else last
    while month <= stop:
        length = calendar.monthrange(month.year, month.month)[1]
        when = month.replace(day=min(day_of_month, length))
        if max(first, starts_on) <= when <= stop:
            yield when
        month = add_months(month, 1)
