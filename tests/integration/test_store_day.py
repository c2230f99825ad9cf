"""Acceptance (issue 18): a store day seen from outside, on SQLite and on PostgreSQL.

The real kiosks and shelf run a store-local day (08:00-22:00 Asia/Shanghai) at speed on a
private Mosquitto, the real cloud beside them; simulated staff book the opening stock,
acknowledge alerts, restock from the backroom and load paper. Then, only through REST and the
console's HTML: the day's sales are on the store-local date with an hourly shape, no product
has negative stock, every alert was acknowledged and resolved with times, each kiosk's Z report
settles, and reports and settlement find the day with their default dates.

The simulated day is the one where Shanghai is already a day ahead of UTC (started at 17:30
UTC the day before), and the API's clock is pinned to chosen instants, never real time.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from kiosk.shell.zreport import close_day
from simulators import stocking
from simulators.cloud import LocalCloud
from simulators.cloudapi import CloudApi
from simulators.scenario import load_scenario
from simulators.store import StoreSimulation
from smartstore.broker import free_port
from tests.cloud.conftest import reset_postgres
from tests.support.services import MosquittoProcess

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.timeout(180)]
PASSWORD = "store-day-pass-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


class PinnedClock:
    """The API's clock: real time until a test pins it to an instant."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture
def cloud(
    database: str, mosquitto_broker: MosquittoProcess
) -> Iterator[tuple[LocalCloud, PinnedClock]]:
    clock = PinnedClock()
    local = LocalCloud(database, mosquitto_broker.url, port=free_port(), clock=clock)
    local.prepare(PASSWORD)
    local.start_ingest()
    local.publish_pricebook()
    local.start_api()
    try:
        yield local, clock
    finally:
        local.stop()


def local_instant(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


def play_day(sim: StoreSimulation, api: CloudApi) -> int:
    """The day until every shopper is served and every sale is in the cloud; then each
    kiosk closes its day (Z report) and staff count the lane products."""
    assert sim.run_until_idle(120), sim.progress()
    local = sim.local_sales()
    deadline = time.monotonic() + 90
    while True:
        depth, cloud = sim.outbox_depth(), api.sales("demo")
        if depth == 0 and len(cloud) >= len(local):
            break
        if time.monotonic() > deadline:  # name what is missing, and where it went
            missing = {s.sale_id for s in local} - {str(s["sale_id"]) for s in cloud}
            dead = [(d.get("reason"), d.get("topic")) for d in api.dead_letters()]
            raise AssertionError(
                f"{len(cloud)}/{len(local)} sales in the cloud, outbox "
                f"{depth} unacked, missing {missing}, dead letters {dead}"
            )
        time.sleep(0.5)
    for kiosk in sim.kiosks.values():
        close_day(kiosk.session, sim.now())
    assert sim.staff is not None
    variances = stocking.count_lane_products(sim, sim.staff.backroom)
    shrink = sim.tally.shrink
    assert {s: -q for s, q in variances.items() if q} == {s: n for s, n in shrink.items() if n}
    return len(local)


def wait_alerts_done(api: CloudApi, timeout: float = 30.0) -> list[dict[str, object]]:
    """Staff keep working after the last shopper: every alert acknowledged and resolved."""
    deadline = time.monotonic() + timeout
    while True:
        alerts = api.alerts("demo")
        done = [a for a in alerts if a["acknowledged_at"] and a["resolved_at"]]
        if len(done) == len(alerts) or time.monotonic() > deadline:
            return alerts
        time.sleep(0.5)


def test_a_store_day_from_outside(
    cloud: tuple[LocalCloud, PinnedClock], mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    local_cloud, clock = cloud
    api = CloudApi(local_cloud.url, "manager", PASSWORD)
    started = datetime.now(UTC).replace(hour=17, minute=30, second=0, microsecond=0)
    started -= timedelta(days=1)  # 01:30 in Shanghai, which is already "today" there
    day = started.astimezone(SHANGHAI).date()
    assert day != started.date()
    sim = StoreSimulation(
        load_scenario("storeday"),
        mosquitto_broker.url,
        tmp_path / "nodes",
        cloud=api,
        started_at=started,
    )
    sim.start()
    try:  # checked while the store still runs: stopping the nodes raises offline alerts
        n_sales = play_day(sim, api)
        alerts = wait_alerts_done(api)
        stats = dict(sim.tally.stats) | {"shrink_units": sum(sim.tally.shrink.values())}
        check_from_outside(local_cloud, clock, api, day, n_sales, alerts, stats)
    finally:
        sim.stop()
        api.close()


def check_from_outside(
    local_cloud: LocalCloud,
    clock: PinnedClock,
    api: CloudApi,
    day: date,
    n_sales: int,
    alerts: list[dict[str, object]],
    stats: dict[str, int],
) -> None:
    assert n_sales >= 20, stats
    # every alert acknowledged and resolved, with times, by staff within simulated minutes
    assert alerts, "a day with no alert at all"
    undone = [(a["type"], a["source"], a["status"]) for a in alerts if not a["resolved_at"]]
    assert undone == [], undone
    assert all(a["acknowledged_at"] and a["acknowledged_by"] for a in alerts), alerts
    kinds = Counter(str(a["type"]) for a in alerts)
    assert kinds["device_fault"] >= 1, kinds
    # every node stayed online through the day, idle stretches included (heartbeats)
    assert kinds["device_offline"] == 0, kinds
    devices = api._request("GET", "/stores/demo/devices")
    devices = devices["items"] if isinstance(devices, dict) else devices
    assert len(devices) >= 3, devices  # two kiosks and a shelf
    assert [d["node"] for d in devices if not d["online"]] == [], devices
    assert kinds["low_stock"] >= 1, kinds
    assert stats["printer_paper_loaded"] >= 1, stats
    assert stats["restocks"] >= 1, stats
    # staff took the restock tasks the shelf's alerts opened; the shelf closed them when restocked
    assert stats["tasks_started"] >= 1, stats
    done = api.tasks("demo", status="done", kind="restock")
    assert any(t["done_by"] == "manager" and t["started_at"] for t in done), done
    # staff were on shift: clocked in when the store opened (the shift is still open)
    shifts = api.shifts("demo", **{"from": str(day - timedelta(1)), "to": str(day + timedelta(1))})
    assert [(s["username"], s["clock_out_at"]) for s in shifts] == [("manager", None)]
    # no product below zero: opening stock and deliveries are booked
    on_hand = api.on_hand("demo")
    assert [sku for sku, q in on_hand.items() if q < 0] == []
    # the shrink the shelf saw and the ledger did not, found by the count and reported
    span = {"store": "demo", "from": str(day - timedelta(1)), "to": str(day + timedelta(1))}
    shrink = api._request("GET", "/reports/shrink", params=span)
    counted_loss = [r for r in shrink["rows"] if r["reason"] == "end-of-day count"]
    assert stats["shrink_units"] >= 1, stats
    assert sum(Decimal(str(r["qty_lost"])) for r in counted_loss) == stats["shrink_units"]
    # sales on the store-local day, with an hourly shape over opening hours (22:30 local)
    clock.at = local_instant(day, 22, 30)
    daily = api._request("GET", "/reports/sales/daily", params={"store": "demo"})
    stamps = sorted(str(s["completed_at"]) for s in api.sales("demo"))
    assert [(r["date"], r["sales_count"]) for r in daily] == [(day.isoformat(), n_sales)], stamps
    hourly = api._request("GET", "/reports/sales-by-hour", params={"store": "demo"})
    by_hour = {int(str(row["hour"])[:2]): int(str(row["sales_count"])) for row in hourly["rows"]}
    assert sum(by_hour.values()) == n_sales
    assert len(by_hour) >= 8, by_hour  # spread over the day, not bunched into one hour
    assert min(by_hour) >= 8, by_hour  # nothing before opening (08:00 local)
    check_console(local_cloud, day, daily[0])
    # 01:30 the next morning in Shanghai, still the same UTC date: yesterday is the day
    clock.at = local_instant(day + timedelta(days=1), 1, 30)
    assert clock.at.date() == day  # the UTC date; yesterday by UTC would be the day before
    deadline = time.monotonic() + 30  # the Z reports travel like any event
    while True:
        settled = api._request("GET", "/finance/settlement", params={"store": "demo"})
        if all(s["report_no"] for s in settled) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sorted(s["node"] for s in settled) == ["kiosk-1", "kiosk-2"], settled
    assert all(s["balanced"] for s in settled), settled
    counted = sum(int(s["sales_count_cloud"]) for s in settled)
    assert counted == n_sales


def check_console(local_cloud: LocalCloud, day: date, row: dict[str, object]) -> None:
    """The manager's console shows the day's sales with its default dates, times in CST."""
    with httpx.Client(base_url=local_cloud.url, follow_redirects=False, timeout=10) as web:
        page = web.get("/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None, page.text[:300]
        res = web.post(
            "/console/login",
            data={"username": "manager", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert res.status_code == 303, res.text[:300]
        report = web.get("/console/reports", params={"store": "demo"})
        assert report.status_code == 200, report.text[:300]
        assert f'id="f-to" name="to" type="date" value="{day.isoformat()}"' in report.text
        total = Decimal(str(row["total"]))
        assert f"{total:,.2f}" in report.text or str(total) in report.text
        shelf = web.get("/console/s/demo/inventory/reconcile")
        assert shelf.status_code == 200, shelf.text[:300]
        assert shelf.text.count('class="verdict ') == 6  # the six sensed lanes' products
        assert 'class="verdict recount"' not in shelf.text  # shelf and ledger agree
        listing = web.get("/console/s/demo/alerts", params={"show": "all"})
        assert listing.status_code == 200, listing.text[:300]
        assert 'class="tta">—' not in listing.text  # every alert has its time to acknowledge
        assert " CST" in listing.text
        assert " UTC" not in listing.text
