"""Where the simulated clock starts: the store's own day, and where the last run stopped.

The simulated day is a day of the *store* (SPEC §4): it starts at the scenario's opening time
on today's date in the store's zone, so sales stamped with the simulated clock fall on the
store-local business day the console shows by default. ``smartstore demo`` keeps the clock
in its data directory so a rerun continues the day instead of restarting at opening time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)


def store_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown store timezone %r: the simulated day runs in UTC", name)
        return ZoneInfo("UTC")


def opening(tz: ZoneInfo, start_s: float, now: datetime | None = None) -> datetime:
    """Today (in ``tz``) at ``start_s`` seconds after local midnight, as a UTC instant."""
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    midnight = datetime.combine(today, time.min, tzinfo=tz)
    return (midnight + timedelta(seconds=start_s)).astimezone(UTC)


def seconds_into_day(at: datetime, tz: ZoneInfo) -> float:
    """Seconds since local midnight of ``at``'s own local day."""
    local = at.astimezone(tz)
    return local.hour * 3600.0 + local.minute * 60.0 + local.second + local.microsecond / 1e6


def load_resume(path: Path | None) -> datetime | None:
    """The instant the last run's clock reached, if it was saved and is readable."""
    if path is None or not path.exists():
        return None
    try:
        saved = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot continue the simulated clock (%s): starting a new day", path, exc)
        return None
    return saved if saved.tzinfo is not None else None


def save_resume(path: Path | None, at: datetime) -> None:
    if path is None:
        return
    try:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(at.astimezone(UTC).isoformat() + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.warning("%s: simulated clock not saved: %s", path, exc)
