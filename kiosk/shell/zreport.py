"""End of day: the Z report of the sales, voids and returns since the last one, written and
published as a ``zreport`` event in one outbox transaction."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.domain.zreport import build_zreport
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


def business_date(now: datetime, timezone: str) -> date:
    """The store-local day ``now`` falls on (SPEC §4), not the UTC date: a Shanghai store's
    sales at 07:30 local are 23:30 UTC of the day before, and the cloud settles each Z report
    against the sales of its local day. An unknown zone means UTC."""
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown store timezone %r: Z report dated in UTC", timezone)
        return now.astimezone(UTC).date()


def close_day(session: Session, now: datetime) -> dict[str, Any]:
    """Close the day at ``now``; the report as JSON (the remote command answers from it)."""
    store = session.store
    with session.lock:
        sales, voids, report_no = store.open_sales()
        returns = store.open_returns()
        opened = store.last_z_closed_at() or (sales[0].completed_at if sales else now)
        day = business_date(now, session.co.book.timezone)
        report = build_zreport(report_no, day, opened, now, sales, voids, returns)
        store.close_day(report)
    log.info("Z report %d: %d sales, %s", report_no, len(sales), report.total)
    return report.model_dump(mode="json")
