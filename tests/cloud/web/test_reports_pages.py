"""Report pages over real ingested sales: table, offline SVG chart, CSV and print links,
P&L, settlement, reorder suggestions; store scope and bad input."""

from __future__ import annotations

import re

from cloud.devices import service as devices
from cloud.ingest.pipeline import Inbound, Pipeline
from tests.cloud.factories import envelope, message, sale_data
from tests.cloud.web.conftest import Console

DAY = "2026-03-02"


def _sell(console: Console) -> None:
    with console.sessions() as s, s.begin():
        devices.register_device(s, "store-a", "kiosk-1", "kiosk")
    pipe = Pipeline(console.sessions, clock=console.clock)
    env = envelope("sale", sale_data("S-REP-1", n_lines=1), seq=1, store="store-a")
    pipe.process([Inbound(*message(env))])
    assert pipe.dead_lettered == 0


def test_sales_report_with_chart_csv_and_print(console: Console) -> None:
    _sell(console)
    console.login("manager_a")
    page = console.client.get(
        "/console/reports",
        params={"report": "sales-by-day", "store": "store-a", "from": DAY, "to": DAY},
    )
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text
    assert "19.00" in page.text
    csv_href = re.search(r'id="csv-link" href="([^"]+)"', page.text)
    print_href = re.search(r'id="print-view" href="([^"]+)"', page.text)
    assert csv_href is not None
    assert print_href is not None
    csv = console.client.get(csv_href.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "19.00" in csv.text
    printable = console.client.get(print_href.group(1).replace("&amp;", "&"))
    assert printable.status_code == 200
    assert "<svg" in printable.text
    for name in ("top-sellers", "sales-by-hour", "sales-by-category", "inventory"):
        res = console.client.get(
            "/console/reports", params={"report": name, "store": "store-a", "from": DAY, "to": DAY}
        )
        assert res.status_code == 200, name
        assert 'id="report-table"' in res.text, name


def test_finance_and_forecast_pages(console: Console) -> None:
    _sell(console)
    console.login("manager_a")
    pnl = console.client.get(
        "/console/reports/pnl", params={"store": "store-a", "from": DAY, "to": DAY}
    )
    assert pnl.status_code == 200
    assert "<svg" in pnl.text
    assert re.search(r'<td class="num">1</td>', pnl.text)  # one sale in the day's row
    settle = console.client.get(
        "/console/reports/settlement", params={"store": "store-a", "date": DAY}
    )
    assert settle.status_code == 200
    assert 'id="report-table"' in settle.text
    reorder = console.client.get("/console/reports/reorder", params={"store": "store-a"})
    assert reorder.status_code == 200
    assert "MILK-1" in reorder.text


def test_report_scope_and_bad_input(console: Console) -> None:
    console.login("manager_a")
    res = console.client.get("/console/reports", params={"store": "store-b"})
    assert res.status_code == 422
    assert 'id="e-store"' in res.text
    for url, params in (
        ("/console/reports", {"from": "2026-02-30"}),
        ("/console/reports", {"from": "2026-03-02", "to": "2026-03-01"}),
        ("/console/reports", {"from": "0001-01-01", "to": "9999-12-31"}),
        ("/console/reports", {"report": "<script>"}),
        ("/console/reports", {"limit": "-5"}),
        ("/console/reports/pnl", {"period": "fortnight"}),
        ("/console/reports/settlement", {"date": "0001-01-01"}),
        ("/console/reports/reorder", {"lead_days": "1000"}),
    ):
        res = console.client.get(url, params=params)
        assert res.status_code in (200, 422), (url, params)
        assert "<script>" not in res.text
    console.client.cookies.clear()
    console.login("staff_a")
    for url in ("/console/reports", "/console/reports/pnl", "/console/reports/reorder"):
        assert console.client.get(url).status_code == 403, url
