"""Every report through the HTTP API: JSON, CSV, SVG and the printable page; scope and
bad input (SQLite file and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

from cloud.api.reports import ReportName
from tests.cloud.api.conftest import Api
from tests.cloud.finance.sales_gen import seed_api_store

RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


def test_every_report_as_json_and_csv(api: Api) -> None:
    seed_api_store(api, 4)
    headers = api.headers("manager_a")
    params = RANGE | {"store": "store-a"}
    for name in (n.value for n in ReportName):
        res = api.client.get(f"/api/v1/reports/{name}", params=params, headers=headers)
        assert res.status_code == 200, (name, res.text)
        body = res.json()
        assert body["report"] == name
        res_csv = api.client.get(
            f"/api/v1/reports/{name}", params=params | {"format": "csv"}, headers=headers
        )
        assert res_csv.status_code == 200
        assert res_csv.headers["content-type"].startswith("text/csv")
        table = list(csv.reader(io.StringIO(res_csv.text)))
        assert table[0] == body["columns"], name
        assert len(table) == len(body["rows"]) + 1, name


def test_daily_sales_match_recorded_totals_in_json_csv_svg_and_print(api: Api) -> None:
    sales = seed_api_store(api)
    headers = api.headers("manager_a")
    params = RANGE | {"store": "store-a"}
    url = "/api/v1/reports/sales-by-day"
    body = api.client.get(url, params=params, headers=headers).json()
    assert sum(r["sales_count"] for r in body["rows"]) == len(sales)
    total = sum((Decimal(p["total"]) for p in sales), Decimal(0))
    assert sum((Decimal(r["total"]) for r in body["rows"]), Decimal(0)) == total
    assert all(isinstance(r["total"], str) for r in body["rows"])  # money is a string

    svg = api.client.get(url, params=params | {"format": "svg"}, headers=headers)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)
    assert root.tag.endswith("svg")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}polyline")) == 1

    page = api.client.get(url, params=params | {"format": "html"}, headers=headers)
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "<table" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org/2000/svg", "")  # offline

    top = api.client.get(
        "/api/v1/reports/top-sellers", params=params | {"limit": 2}, headers=headers
    ).json()
    assert len(top["rows"]) == 2
    assert Decimal(top["rows"][0]["net"]) >= Decimal(top["rows"][1]["net"])


def test_scope_and_bad_input_are_refused_not_crashes(api: Api) -> None:
    seed_api_store(api, 2)
    b = api.headers("manager_b")
    a = api.headers("manager_a")
    url = "/api/v1/reports/sales-by-day"
    assert api.client.get(url, params=RANGE | {"store": "store-a"}, headers=b).status_code == 403
    assert api.client.get(url, params=RANGE, headers=api.headers("staff_a")).status_code == 403
    bad = [
        {"from": "2026-03-31", "to": "2026-03-01"},
        {"from": "2020-01-01", "to": "2026-03-01"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "x", "to": "2026-03-01"},
        RANGE | {"format": "pdf"},
        RANGE | {"limit": "0"},
    ]
    for params in bad:
        res = api.client.get(url, params=params, headers=a)
        assert res.status_code == 422, (params, res.text)
    res = api.client.get("/api/v1/reports/inventory", params=RANGE, headers=a)
    assert res.status_code == 422
    assert api.client.get("/api/v1/reports/nope", params=RANGE, headers=a).status_code == 422
    # Another manager's list only covers their own store: no sales visible.
    body = api.client.get(url, params=RANGE, headers=b).json()
    assert body["rows"] == []
