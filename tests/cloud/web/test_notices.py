"""Notices: posted by head office or a manager, shown on the target stores' dashboard and
staff alerts view, never on other stores'; scope, expiry, withdrawal, CSRF and the API."""

from __future__ import annotations

import re

from sqlalchemy import select

from cloud.notices.models import Notice
from tests.cloud.web.conftest import Console


def _post(console: Console, token: str, **form: str) -> int:
    data = {"level": "info", **form, "csrf_token": token}
    res = console.client.post("/console/notices", data=data, follow_redirects=False)
    return int(res.status_code)


def test_manager_notice_shows_on_own_store_only(console: Console) -> None:
    token = console.login("manager_a")
    assert (
        _post(console, token, store="store-a", title="Fire drill 15:00", level="important") == 303
    )
    assert "Fire drill 15:00" in console.client.get("/console/s/store-a").text
    assert _post(console, token, store="store-b", title="Nope") == 422
    assert _post(console, token, store="*", title="Nope") == 422  # head office only
    assert _post(console, token, store="store-a", title="") == 422
    assert _post(console, token, store="store-a", title="x" * 121) == 422
    assert _post(console, token, store="store-a", title="Old", expires="2020-01-01") == 422
    console.client.cookies.clear()
    console.login("staff_a")
    assert "Fire drill 15:00" in console.client.get("/console/s/store-a/alerts").text
    console.client.cookies.clear()
    console.login("staff_b")
    assert "Fire drill 15:00" not in console.client.get("/console/s/store-b/alerts").text


def test_head_office_notice_reaches_every_store_until_it_expires(console: Console) -> None:
    token = console.login("admin")
    tomorrow = console.clock().date().replace(day=console.clock().day + 1).isoformat()
    assert (
        _post(console, token, store="*", title="Price update <b>tonight</b>", expires=tomorrow)
        == 303
    )
    for store in ("store-a", "store-b"):
        page = console.client.get(f"/console/s/{store}")
        assert "Price update &lt;b&gt;tonight&lt;/b&gt;" in page.text
    console.clock.advance(days=2)
    console.client.cookies.clear()
    console.login("admin")
    assert "Price update" not in console.client.get("/console/s/store-a").text


def test_withdraw_and_csrf(console: Console) -> None:
    token = console.login("manager_a")
    assert (
        console.client.post("/console/notices", data={"store": "store-a", "title": "A"}).status_code
        == 403
    )
    assert _post(console, token, store="store-a", title="Delivery late") == 303
    with console.sessions() as s:
        notice_id = s.scalars(select(Notice.id)).one()
    res = console.client.post(f"/console/notices/{notice_id}/withdraw")
    assert res.status_code == 403
    res = console.client.post(
        f"/console/notices/{notice_id}/withdraw", data={"csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    assert "Delivery late" not in console.client.get("/console/s/store-a").text
    console.client.cookies.clear()
    token_b = console.login("manager_b")
    res = console.client.post(
        f"/console/notices/{notice_id}/withdraw", data={"csrf_token": token_b}
    )
    assert res.status_code == 403  # another store's notice, like any other store's row
    assert "Delivery late" not in console.client.get("/console/notices").text


def test_notices_api(console: Console) -> None:
    res = console.client.post(
        "/api/v1/auth/token", data={"username": "manager_a", "password": "correct horse battery"}
    )
    headers = {"Authorization": f"Bearer {res.json()['access_token']}"}
    res = console.client.post(
        "/api/v1/notices", json={"store": "store-a", "title": "Stock count Sunday"}, headers=headers
    )
    assert res.status_code == 201, res.text
    assert res.json()["store"] == "store-a"
    res = console.client.post("/api/v1/notices", json={"title": "All"}, headers=headers)
    assert res.status_code == 422
    res = console.client.get("/api/v1/notices", params={"store": "store-a"}, headers=headers)
    assert [n["title"] for n in res.json()] == ["Stock count Sunday"]
    assert (
        console.client.get(
            "/api/v1/notices", params={"store": "store-b"}, headers=headers
        ).status_code
        == 403
    )
    nid = res.json()[0]["id"]
    assert console.client.delete(f"/api/v1/notices/{nid}", headers=headers).status_code == 204
    res = console.client.get("/api/v1/notices", params={"store": "store-a"}, headers=headers)
    assert res.json() == []
    assert re.match(r"^\d+$", str(nid))
