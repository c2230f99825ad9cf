"""Store-local time (SPEC §4): the business day and every time shown to a person are in the
store's IANA zone; the API stays UTC. One place decides "today" for a store so the API's and
the console's defaults agree."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    """A store's zone; an unknown or empty name falls back to UTC rather than failing a page."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r, using UTC", name)
        return UTC_ZONE


def common_zone(names: Iterable[str]) -> ZoneInfo:
    """The zone every one of these stores shares; UTC when they differ or there are none,
    since no single local day fits stores in different zones."""
    found = set(names)
    return zone(found.pop()) if len(found) == 1 else UTC_ZONE


def local_today(tz: ZoneInfo, now: datetime) -> date:
    """The business day it is now in ``tz`` (not the UTC date)."""
    return now.astimezone(tz).date()


def local_yesterday(tz: ZoneInfo, now: datetime) -> date:
    return local_today(tz, now) - timedelta(days=1)


def show(value: datetime | None, tz: ZoneInfo) -> str:
    """A time as a person in the store reads it: local, with the zone's abbreviation."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or str(tz))
