"""The Z report's business date is the store-local day, not the UTC date (SPEC §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kiosk.shell.zreport import business_date


def test_a_shanghai_morning_is_the_local_day_though_utc_is_still_yesterday() -> None:
    at = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 07:30 on 5 December in Shanghai
    assert business_date(at, "Asia/Shanghai") == date(2026, 12, 5)
    assert business_date(at, "UTC") == date(2026, 12, 4)


def test_an_unknown_zone_falls_back_to_utc() -> None:
    at = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert business_date(at, "Mars/Olympus") == date(2026, 12, 4)
