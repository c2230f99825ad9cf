"""The simulated day is the store's day, and a rerun continues where the last one stopped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from simulators.simtime import load_resume, opening, save_resume, seconds_into_day, store_zone

SHANGHAI = store_zone("Asia/Shanghai")


def test_opening_is_on_the_stores_date_not_the_utc_date() -> None:
    real = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)  # already 5 December in Shanghai
    begin = opening(SHANGHAI, 8 * 3600.0, real)
    assert begin == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert seconds_into_day(begin, SHANGHAI) == 8 * 3600.0


def test_the_clock_continues_from_the_saved_instant(tmp_path: Path) -> None:
    path = tmp_path / "sim-clock.txt"
    assert load_resume(path) is None
    at = datetime(2026, 12, 5, 7, 15, 30, tzinfo=UTC)
    save_resume(path, at)
    assert load_resume(path) == at
    assert seconds_into_day(at, SHANGHAI) == 15 * 3600 + 15 * 60 + 30.0


def test_an_unreadable_or_naive_saved_clock_starts_a_new_day(tmp_path: Path) -> None:
    path = tmp_path / "sim-clock.txt"
    path.write_text("not a time\n", encoding="utf-8")
    assert load_resume(path) is None
    path.write_text("2026-12-05T07:15:30\n", encoding="utf-8")
    assert load_resume(path) is None


def test_an_unknown_zone_runs_the_day_in_utc() -> None:
    assert str(store_zone("Nowhere/Atlantis")) == "UTC"
