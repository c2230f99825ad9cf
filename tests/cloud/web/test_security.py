"""Console security: CSRF, escaping, store scope, lockout, cookie flags, malformed input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from cloud.alerts import service as alerts
from cloud.alerts.models import Alert
from cloud.audit.models import AuditEntry
from cloud.auth.models import User
from cloud.products.models import Product
from tests.cloud.api.helpers import store_id
from tests.cloud.web.conftest import Console


def _alert(console: Console, store: str) -> int:
    with console.sessions() as s, s.begin():
        alert, _ = alerts.open_alert(
            s,
            store_id=store_id(s, store),
            source="shelf-1/lane-1",
            alert_type="out_of_stock",
            now=console.clock(),
        )
        return alert.id


def test_csrf_missing_or_forged_is_rejected(console: Console) -> None:
    token = console.login("hq")
    form = {"sku": "CSRF-1", "name": "Tea", "price": "1.00"}
    res = console.client.post("/console/products/new", data=form)
    assert res.status_code == 403
    res = console.client.post("/console/products/new", data={**form, "csrf_token": "0" * 64})
    assert res.status_code == 403
    with console.sessions() as s:
        assert s.scalars(select(Product).where(Product.sku == "CSRF-1")).first() is None
    res = console.client.post(
        "/console/products/new", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303
    console.client.cookies.clear()
    token = console.login("manager_a")
    alert_id = _alert(console, "store-a")  # htmx requests: the header is checked the same way
    res = console.client.post(
        f"/console/s/store-a/alerts/{alert_id}/ack",
        headers={"HX-Request": "true", "X-CSRF-Token": "forged"},
    )
    assert res.status_code == 403
    res = console.client.post(
        f"/console/s/store-a/alerts/{alert_id}/ack",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert res.status_code == 200
    assert "acknowledged" in res.text


def test_login_form_itself_needs_its_token(console: Console) -> None:
    res = console.client.post("/console/login", data={"username": "admin", "password": "x"})
    assert res.status_code == 403
    assert "smartstore_session" not in console.client.cookies


def test_html_in_a_product_name_is_shown_as_text(console: Console) -> None:
    token = console.login("hq")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    res = console.client.post(
        "/console/products/new",
        follow_redirects=True,
        data={"sku": "XSS-1", "name": evil, "price": "1.00", "csrf_token": token},
    )
    assert res.status_code == 200
    assert "<script>alert" not in res.text
    assert "<img src=x" not in res.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in res.text
    listing = console.client.get("/console/products", params={"q": "script"})
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing.text
    assert "<img src=x" not in listing.text
    assert "script-src 'self'" in listing.headers["content-security-policy"]


def test_staff_of_store_a_cannot_open_store_b(console: Console) -> None:
    console.login("staff_a")
    assert console.client.get("/console/s/store-a/alerts").status_code == 200
    for url in (
        "/console/s/store-b/alerts",
        "/console/s/store-b/alerts/list",
        "/console/s/store-b/alerts/stream",
    ):
        assert console.client.get(url).status_code == 403, url
    assert console.client.get("/console/products").status_code == 403  # role, not only store
    alert_b = _alert(console, "store-b")
    token = console.csrf()
    res = console.client.post(
        f"/console/s/store-b/alerts/{alert_b}/ack", data={"csrf_token": token}
    )
    assert res.status_code == 403
    res = console.client.post(
        f"/console/s/store-a/alerts/{alert_b}/ack", data={"csrf_token": token}
    )
    assert res.status_code == 404  # an alert of store B through store A's URL
    with console.sessions() as s:
        assert s.get(Alert, alert_b).status == "active_unack"  # type: ignore[union-attr]


def test_manager_of_store_a_cannot_open_store_b_pages(console: Console) -> None:
    console.login("manager_a")
    assert console.client.get("/console/s/store-a").status_code == 200
    for url in ("/console/s/store-b", "/console/s/store-b/stats", "/console/s/store-b/alerts"):
        assert console.client.get(url).status_code == 403, url
    assert console.client.get("/console/users/new").status_code == 403  # users: read-only


def _attempt(client: TestClient, password: str, username: str = "staff_a") -> Response:
    page = client.get("/console/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/console/login",
        follow_redirects=False,
        data={"username": username, "password": password, "csrf_token": token},
    )


def test_failed_logins_slow_this_client_but_lock_nobody_out(console: Console) -> None:
    assert [_attempt(console.client, "wrong-password").status_code for _ in range(3)] == [401] * 3
    res = _attempt(console.client, "correct horse battery")
    assert res.status_code == 429
    assert res.headers["retry-after"] == "60"
    assert "Try again in 1 min" in res.text
    assert console.app is not None
    with TestClient(console.app, client=("198.51.100.7", 40000)) as own_desk:
        assert _attempt(own_desk, "correct horse battery").status_code == 303
    console.clock.advance(seconds=60)
    assert _attempt(console.client, "correct horse battery").status_code == 303
    with console.sessions() as session:
        failed = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login_failed")
        ).all()
    assert len(failed) == 4  # three wrong passwords, one throttled right one
    assert {e.details["channel"] for e in failed} == {"console"}
    assert sorted(e.details["reason"] for e in failed) == ["AuthenticationError"] * 3 + [
        "TooManyAttemptsError"
    ]


def test_admin_unlocks_a_locked_account_in_the_console(console: Console) -> None:
    assert console.app is not None
    for i in range(console.settings.account_lock_failures):
        with TestClient(console.app, client=(f"192.0.2.{i + 1}", 40000)) as bot:
            assert _attempt(bot, "guess guess", "manager_a").status_code == 401
    with TestClient(console.app, client=("192.0.2.200", 40000)) as laptop:
        assert _attempt(laptop, "correct horse battery", "manager_a").status_code == 401
        csrf = console.login("admin")
        with console.sessions() as session:
            user = session.scalars(select(User).where(User.username == "manager_a")).one()
        page = console.client.get(f"/console/users/{user.id}")
        assert 'id="unlock"' in page.text
        forged = console.client.post(f"/console/users/{user.id}/unlock", follow_redirects=False)
        assert forged.status_code == 403
        res = console.client.post(
            f"/console/users/{user.id}/unlock", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert res.status_code == 303
        assert 'id="unlock"' not in console.client.get(f"/console/users/{user.id}").text
        assert _attempt(laptop, "correct horse battery", "manager_a").status_code == 303


def test_a_console_login_posted_by_another_site_is_refused(console: Console) -> None:
    page = console.client.get("/console/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "admin", "password": "correct horse battery", "csrf_token": token}
    evil = {"Origin": "https://evil.example"}
    res = console.client.post("/console/login", data=form, headers=evil, follow_redirects=False)
    assert res.status_code == 403
    assert "smartstore_session" not in res.headers.get("set-cookie", "")
    own = {"Origin": "http://testserver"}
    res = console.client.post("/console/login", data=form, headers=own, follow_redirects=False)
    assert res.status_code == 303
    csrf = console.csrf()
    out = console.client.post(
        "/console/logout", data={"csrf_token": csrf}, headers=evil, follow_redirects=False
    )
    assert out.status_code == 403


def test_session_cookie_flags_and_login_page(console: Console) -> None:
    page = console.client.get("/console/login")
    assert "Maintenance at 22:00" in page.text
    assert "Version" in page.text
    assert "remember" not in page.text.lower()
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    res = console.client.post(
        "/console/login",
        follow_redirects=False,
        data={
            "username": "admin",
            "password": "correct horse battery",
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    cookie = next(
        v
        for k, v in res.headers.multi_items()
        if k == "set-cookie" and v.startswith("smartstore_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert res.headers["location"] == "/console"  # no open redirect


def test_logged_out_users_are_sent_to_login(console: Console) -> None:
    res = console.client.get("/console/s/store-a/alerts", follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"] == "/console/login?next=/console/s/store-a/alerts"
    res = console.client.get("/console/products", headers={"HX-Request": "true"})
    assert res.status_code == 401
    assert res.headers["HX-Redirect"].startswith("/console/login")


def test_malformed_input_never_crashes(console: Console) -> None:
    token = console.login("hq")
    bad_forms = [
        {"sku": "", "name": "", "price": "NaN"},
        {"sku": "ö" * 300, "name": "x" * 5000, "price": "1e999999", "min_age": "-1"},
        {"sku": "OK-1", "name": "x", "price": "1.001", "gtins": "123 abc", "unit_weight_g": "0"},
    ]
    for form in bad_forms:
        res = console.client.post("/console/products/new", data={**form, "csrf_token": token})
        assert res.status_code == 422, form
        assert 'class="error"' in res.text
    for data in (b"\xff\xfe\x00garbage", b"", b"sku,name\n", b'sku,name,price\n"unterminated'):
        res = console.client.post(
            "/console/products-import",
            data={"csrf_token": token},
            files={"file": ("p.csv", data, "text/csv")},
        )
        assert res.status_code in (200, 422)
    res = console.client.post(
        "/console/products/MILK-1/image",
        data={"csrf_token": token},
        files={"image": ("x.png", b"<svg onload=alert(1)>", "image/png")},
    )
    assert res.status_code == 422
    assert "PNG, JPEG or WebP" in res.text
    res = console.client.post(
        "/console/promotions-preview",
        data={
            "csrf_token": token,
            "kind": "percent_off",
            "percent": "500",
            "name": "x",
            "store": "store-a",
            "basket": "MILK-1 x\nNOPE 2",
        },
    )
    assert res.status_code == 200
    assert 'class="error"' in res.text
    assert console.client.get("/console/products/%00").status_code == 404
    assert console.client.get("/console/media/..%2F..%2Fetc%2Fpasswd").status_code == 404
    console.client.cookies.clear()
    console.login("manager_a")
    assert console.client.get("/console/s/store-a/alerts?show=%00").status_code == 200


def test_manager_sends_a_command_to_a_device_of_their_store(console: Console) -> None:
    from cloud.devices import service as devices

    with console.sessions() as s, s.begin():
        devices.register_device(s, "store-a", "shelf-1", "shelf")
        devices.register_device(s, "store-b", "shelf-1", "shelf")
    token = console.login("manager_a")
    res = console.client.post(
        "/console/stores/store-a/devices/shelf-1/command",
        data={"csrf_token": token, "name": "tare"},
    )
    assert res.status_code == 200
    assert 'id="command-result"' in res.text
    assert [t for t, _ in console.sender.sent] == ["smartstore/v1/store-a/shelf-1/cmd/tare"]
    res = console.client.post(
        "/console/stores/store-b/devices/shelf-1/command",
        data={"csrf_token": token, "name": "lock"},
    )
    assert res.status_code == 403
    res = console.client.post(
        "/console/stores/store-a/devices/shelf-1/command",
        data={"csrf_token": token, "name": "rm -rf"},
    )
    assert res.status_code == 422
    assert len(console.sender.sent) == 1
