"""Report and settlement dates default to the store's business day, not the UTC date (SPEC §4).

store-a is in Asia/Shanghai (the default zone); the clock stands at 19:45 UTC on 2 March,
which is 03:45 on 3 March in Shanghai. The seeded sales are at 09:30, 14:30 and 19:30 UTC:
two on the local 2 March, one on the local 3 March.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.cloud.api.conftest import Api
from tests.cloud.factories import T0
from tests.cloud.finance.sales_gen import seed_api_store


def test_reports_default_to_today_in_the_stores_zone(api: Api) -> None:
    seed_api_store(api, 3)
    api.clock.now = T0 + timedelta(hours=10, minutes=15)
    h = api.headers("manager_a")
    rows = api.client.get("/api/v1/reports/sales/daily", headers=h).json()
    assert [(r["date"], r["sales_count"]) for r in rows] == [("2026-03-03", 1)]
    by_day = api.client.get("/api/v1/reports/sales-by-day", params={"store": "store-a"}, headers=h)
    assert by_day.status_code == 200, by_day.text
    assert by_day.json()["params"]["from"] == "2026-03-03"
    yesterday = api.client.get(
        "/api/v1/reports/sales/daily", params={"from": "2026-03-02", "to": "2026-03-02"}, headers=h
    ).json()
    assert [(r["date"], r["sales_count"]) for r in yesterday] == [("2026-03-02", 2)]


def test_settlement_defaults_to_yesterday_in_the_stores_zone(api: Api) -> None:
    seed_api_store(api, 3)
    api.clock.now = datetime.fromisoformat("2026-03-02T19:45:00+00:00")
    h = api.headers("manager_a")
    default = api.client.get("/api/v1/finance/settlement", params={"store": "store-a"}, headers=h)
    assert default.status_code == 200, default.text
    local_yesterday = api.client.get(
        "/api/v1/finance/settlement", params={"store": "store-a", "date": "2026-03-02"}, headers=h
    ).json()
    utc_yesterday = api.client.get(
        "/api/v1/finance/settlement", params={"store": "store-a", "date": "2026-03-01"}, headers=h
    ).json()
    assert default.json() == local_yesterday
    assert default.json() != utc_yesterday
    assert local_yesterday[0]["sales_count_cloud"] == 2
