"""Console pages in the store's time (SPEC §4): report and settlement dates default to the
store-local today and yesterday, and times read in the store's zone, not UTC.

store-a is in Asia/Shanghai; the clock stands at 19:45 UTC on 2 March, 03:45 on 3 March there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cloud.web.conftest import Console

NOW = datetime(2026, 3, 2, 19, 45, tzinfo=UTC)


def test_report_dates_default_to_the_stores_today_and_yesterday(console: Console) -> None:
    console.clock.now = NOW
    console.login("manager_a")
    sales = console.client.get("/console/reports", params={"store": "store-a"})
    assert sales.status_code == 200
    assert 'id="f-to" name="to" type="date" value="2026-03-03"' in sales.text
    settle = console.client.get("/console/reports/settlement", params={"store": "store-a"})
    assert settle.status_code == 200
    assert 'id="f-date" name="date" type="date" value="2026-03-02"' in settle.text
    pnl = console.client.get("/console/reports/pnl", params={"store": "store-a"})
    assert 'value="2026-03-03"' in pnl.text


def test_times_are_shown_in_the_stores_zone(console: Console) -> None:
    from cloud.alerts import service as alerts
    from cloud.stores.repository import by_code

    with console.sessions() as s, s.begin():
        store = by_code(s, "store-a")
        assert store is not None
        alerts.open_alert(
            s, store_id=store.id, source="shelf-1/l1", alert_type="low_stock", now=NOW
        )
    console.clock.now = NOW
    console.login("staff_a")
    page = console.client.get("/console/s/store-a/alerts")
    assert page.status_code == 200
    assert "2026-03-03 03:45:00 CST" in page.text
    assert "19:45:00" not in page.text


def test_the_dashboards_today_starts_at_the_stores_midnight(tmp_path: Path) -> None:
    """Two minutes after midnight in Shanghai (16:02 UTC) the demo's sales made since then
    are today's, and none from before it; the browser tests' fixture depends on it."""
    from cloud.db.models import load_models
    from cloud.db.session import make_engine
    from cloud.seed.service import seed
    from cloud.stores.models import Store
    from cloud.web.pages.dashboard import store_stats
    from tests.support.console_pages import STORE, add_activity

    now = datetime(2026, 3, 2, 16, 2, tzinfo=UTC)
    engine = make_engine(f"sqlite:///{tmp_path / 'day.sqlite3'}")
    load_models().create_all(engine)
    with Session(engine) as s, s.begin():
        seed(s, password="pw-not-used-1", now=now)
        add_activity(s, now)
        store = s.scalars(select(Store).where(Store.code == STORE)).one()
        stats = store_stats(s, store, now)
        assert stats.sales_today == 3
        assert stats.today > 0
        assert store_stats(s, store, now - timedelta(minutes=3)).sales_today == 0
    engine.dispose()
