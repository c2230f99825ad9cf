"""Node credentials in the console (SQLite and PostgreSQL): an admin issues a node's MQTT login,
sees the password once, revokes it; the registry and broker files follow; managers, staff and
requests without the CSRF token change nothing; every write is audited without the secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.audit.models import AuditEntry
from cloud.devices.models import Device
from cloud.devices.service import register_device
from cloud.fleet.credentials import verify_password
from cloud.fleet.registry import Registry
from cloud.settings.fleet import FleetSettings, SignalReload
from tests.cloud.web.conftest import Console

PASSWORD_RE = re.compile(r'id="issued-password">([^<]+)<')


@pytest.fixture
def fleet_dir(console: Console, tmp_path: Path) -> Path:
    """Turn provisioning on for the running app: the registry lives in a temp directory."""
    folder = tmp_path / "fleet"
    ctx = console.client.app.state.ctx  # type: ignore[attr-defined]
    ctx.settings = ctx.settings.model_copy(update={"fleet": FleetSettings(dir=folder)})
    return folder


def provision(console: Console, token: str, node: str, **extra: str) -> tuple[int, str]:
    form = {"store": "store-a", "node": node, "kind": "kiosk", "csrf_token": token, **extra}
    res = console.client.post("/console/fleet/provision", data=form)
    return res.status_code, res.text


def passwd_users(folder: Path) -> set[str]:
    return {line.split(":", 1)[0] for line in (folder / "passwd").read_text().splitlines()}


def test_admin_provisions_sees_the_password_once_and_revokes(
    console: Console, fleet_dir: Path
) -> None:
    token = console.login("admin")
    page = console.client.get("/console/fleet")
    assert page.status_code == 200
    assert 'id="provision-form"' in page.text
    assert 'href="/console/fleet"' in page.text  # in the admin's navigation

    status, html = provision(console, token, "kiosk-9")
    assert status == 200, html
    found = PASSWORD_RE.search(html)
    assert found is not None
    password = found.group(1)
    assert "demo" not in password
    assert len(password) >= 24
    assert 'id="issued-username">store-a/kiosk-9<' in html
    assert f"SMARTSTORE_MQTT_URL=mqtt://store-a%2Fkiosk-9:{password}@127.0.0.1:1883" in html
    record = Registry(fleet_dir).load().nodes["store-a/kiosk-9"]
    assert verify_password(password, record.password_hash)
    assert passwd_users(fleet_dir) == {"store-a/kiosk-9"}
    assert "user store-a/kiosk-9" in (fleet_dir / "acl").read_text()

    listing = console.client.get("/console/fleet")
    assert password not in listing.text  # once means once
    assert listing.headers["cache-control"] == "no-store"
    assert 'data-node="store-a/kiosk-9" data-credential="active"' in listing.text
    with console.sessions() as s:  # registered, so the ingest accepts its events
        device = s.scalars(select(Device).where(Device.node == "kiosk-9")).one()
        assert device.kind == "kiosk"

    # a second provision of an active node needs "rotate"; the old password dies with it
    status, html = provision(console, token, "kiosk-9")
    assert status == 409
    assert 'id="e-node"' in html
    assert PASSWORD_RE.search(html) is None
    status, html = provision(console, token, "kiosk-9", rotate="1")
    rotated = PASSWORD_RE.search(html)
    assert status == 200
    assert rotated is not None
    assert rotated.group(1) != password
    hashed = Registry(fleet_dir).load().nodes["store-a/kiosk-9"].password_hash
    assert not verify_password(password, hashed)

    res = console.client.post("/console/fleet/store-a/kiosk-9/revoke", data={"csrf_token": token})
    assert res.status_code == 200
    assert 'id="message"' in res.text
    assert 'data-node="store-a/kiosk-9" data-credential="revoked"' in res.text
    assert passwd_users(fleet_dir) == set()
    again = console.client.post("/console/fleet/store-a/kiosk-9/revoke", data={"csrf_token": token})
    assert again.status_code == 404

    with console.sessions() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "node_credentials")).all()
    assert [e.action for e in entries] == ["provision", "rotate", "revoke"]
    assert all(e.actor == "admin" for e in entries)
    dumped = " ".join(repr(vars(e)) for e in entries)
    assert password not in dumped
    assert rotated.group(1) not in dumped


def test_bad_input_is_refused_with_field_errors(console: Console, fleet_dir: Path) -> None:
    token = console.login("admin")
    for node, store, kind, field in (
        ("Kiosk_9", "store-a", "kiosk", "e-node"),
        ("k" * 40, "store-a", "kiosk", "e-node"),
        ("kiosk-9", "nowhere", "kiosk", "e-store"),
        ("kiosk-9", "store-a", "toaster", "e-kind"),
        ("", "", "", "e-node"),
        ("kiosk-\x00", "store-a\x00", "kiosk", "e-store"),
    ):
        res = console.client.post(
            "/console/fleet/provision",
            data={"store": store, "node": node, "kind": kind, "csrf_token": token},
        )
        assert res.status_code == 422, (node, store, kind)
        assert f'id="{field}"' in res.text, (node, store, kind)
    assert Registry(fleet_dir).load().nodes == {}
    for path in ("/console/fleet/store-a/nobody/revoke", "/console/fleet/..%2F/x/revoke"):
        assert console.client.post(path, data={"csrf_token": token}).status_code == 404


def test_manager_and_staff_cannot_provision_or_revoke(console: Console, fleet_dir: Path) -> None:
    token = console.login("admin")
    status, _ = provision(console, token, "kiosk-8")
    assert status == 200
    for user in ("manager_a", "staff_a"):
        console.client.cookies.clear()
        token = console.login(user)
        assert console.client.get("/console/fleet").status_code == 403
        assert 'href="/console/fleet"' not in console.client.get("/console/stores").text
        status, html = provision(console, token, "kiosk-7")
        assert status == 403
        assert PASSWORD_RE.search(html) is None
        res = console.client.post(
            "/console/fleet/store-a/kiosk-8/revoke", data={"csrf_token": token}
        )
        assert res.status_code == 403
    assert set(Registry(fleet_dir).load().nodes) == {"store-a/kiosk-8"}
    assert Registry(fleet_dir).load().nodes["store-a/kiosk-8"].active


def test_csrf_is_required(console: Console, fleet_dir: Path) -> None:
    console.login("admin")
    form = {"store": "store-a", "node": "kiosk-6", "kind": "kiosk"}
    assert console.client.post("/console/fleet/provision", data=form).status_code == 403
    bad = {**form, "csrf_token": "0" * 40}
    assert console.client.post("/console/fleet/provision", data=bad).status_code == 403
    assert Registry(fleet_dir).load().nodes == {}


def test_page_says_when_provisioning_is_off_and_when_the_broker_did_not_reload(
    console: Console, tmp_path: Path
) -> None:
    with console.sessions() as s, s.begin():
        register_device(s, "store-a", "shelf-3", "shelf")
    token = console.login("admin")
    page = console.client.get("/console/fleet")
    assert page.status_code == 200
    assert 'id="disabled"' in page.text
    assert 'data-node="store-a/shelf-3" data-credential="none"' in page.text
    status, _ = provision(console, token, "kiosk-5")
    assert status == 409

    folder = tmp_path / "fleet-noreload"
    ctx = console.client.app.state.ctx  # type: ignore[attr-defined]
    dead = SignalReload(pid_file=tmp_path / "no-such.pid")
    ctx.settings = ctx.settings.model_copy(update={"fleet": FleetSettings(dir=folder, reload=dead)})
    status, html = provision(console, token, "kiosk-5")
    assert status == 200
    assert 'id="warning"' in html
    assert "device sync" in html
    assert PASSWORD_RE.search(html) is not None  # issued: losing the password helps nobody
    assert "store-a/kiosk-5" in passwd_users(folder)
