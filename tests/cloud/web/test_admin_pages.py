"""Users and roles, and the audit log: admins manage, managers read their stores' staff."""

from __future__ import annotations

import re

from sqlalchemy import select

from cloud.audit.models import AuditEntry
from cloud.auth.models import OutboxMail, User
from tests.cloud.web.conftest import Console


def _user(console: Console, username: str) -> User:
    with console.sessions() as s:
        return s.scalars(select(User).where(User.username == username)).one()


def test_admin_creates_edits_disables_and_sends_a_reset_link(console: Console) -> None:
    token = console.login("admin")
    assert 'href="/console/users"' in console.client.get("/console/users").text
    form = {
        "username": "Clerk.1",
        "password": "short",
        "role": "staff",
        "full_name": "Clerk One",
        "email": "not-an-email",
        "csrf_token": token,
    }
    res = console.client.post("/console/users/new", data=form)
    assert res.status_code == 422
    for field in ("e-password", "e-email", "e-stores"):
        assert f'id="{field}"' in res.text, field
    form |= {"password": "long enough pw", "email": "clerk@example.com", "stores": "store-a"}
    res = console.client.post("/console/users/new", data=form, follow_redirects=False)
    assert res.status_code == 303, res.text
    clerk = _user(console, "Clerk.1")
    assert clerk.role == "staff"
    assert clerk.active
    res = console.client.post("/console/users/new", data=form)
    assert res.status_code == 422
    assert 'id="e-username"' in res.text
    edit = {"role": "manager", "full_name": "Clerk", "email": "clerk@example.com",
            "stores": ["store-a", "store-b"], "csrf_token": token}  # fmt: skip
    res = console.client.post(f"/console/users/{clerk.id}", data=edit, follow_redirects=False)
    assert res.status_code == 303
    clerk = _user(console, "Clerk.1")
    assert clerk.role == "manager"
    assert not clerk.active
    assert len(clerk.memberships) == 2
    res = console.client.post(f"/console/users/{clerk.id}/reset", data={"csrf_token": token})
    assert res.status_code == 422  # disabled: no link
    res = console.client.post(
        f"/console/users/{clerk.id}", data={**edit, "active": "1"}, follow_redirects=False
    )
    res = console.client.post(f"/console/users/{clerk.id}/reset", data={"csrf_token": token})
    assert res.status_code == 200
    assert 'id="message"' in res.text
    with console.sessions() as s:
        mail = s.scalars(select(OutboxMail).where(OutboxMail.to == "clerk@example.com")).one()
        assert "/reset-password?token=" in mail.body
    audit = console.client.get("/console/audit", params={"entity": "user"})
    assert audit.text.count('data-entity="user"') >= 3
    link = re.search(r"/reset-password\?token=([\w-]+)", mail.body)
    assert link is not None
    form = console.client.get("/reset-password", params={"token": link.group(1)})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    new = {"token": link.group(1), "csrf_token": csrf.group(1)}
    res = console.client.post(
        "/reset-password",
        data={**new, "password": "fresh long password", "password2": "fresh long password"},
    )
    assert res.status_code == 200
    with console.sessions() as s:
        resets = s.scalars(select(AuditEntry).where(AuditEntry.action == "password_reset")).all()
    assert [(e.actor, e.entity_id) for e in resets] == [(clerk.username, str(clerk.id))]


def test_admin_cannot_demote_or_disable_themselves(console: Console) -> None:
    token = console.login("admin")
    admin = _user(console, "admin")
    res = console.client.post(
        f"/console/users/{admin.id}",
        data={"role": "staff", "stores": "store-a", "csrf_token": token},
    )
    assert res.status_code == 422
    assert 'id="e-role"' in res.text
    assert _user(console, "admin").role == "admin"


def test_manager_sees_own_store_staff_read_only(console: Console) -> None:
    token = console.login("manager_a")
    page = console.client.get("/console/users")
    assert page.status_code == 200
    assert 'id="read-only"' in page.text
    names = set(re.findall(r'data-user="([^"]+)"', page.text))
    assert names == {"manager_a", "staff_a", "cashier_a"}
    assert 'href="/console/users/' not in page.text
    staff = _user(console, "staff_a")
    assert console.client.get(f"/console/users/{staff.id}").status_code == 403
    assert console.client.get("/console/users/new").status_code == 403
    res = console.client.post(
        f"/console/users/{staff.id}", data={"role": "admin", "csrf_token": token}
    )
    assert res.status_code == 403
    assert _user(console, "staff_a").role == "staff"


def test_audit_log_filters_and_scope(console: Console) -> None:
    token = console.login("manager_a")
    console.client.post(
        "/console/s/store-a/inventory/receive",
        data={"sku": "MILK-1", "qty": "2", "csrf_token": token},
    )
    console.client.cookies.clear()
    token_b = console.login("manager_b")
    console.client.post(
        "/console/s/store-b/inventory/receive",
        data={"sku": "MILK-1", "qty": "5", "csrf_token": token_b},
    )
    page = console.client.get("/console/audit", params={"entity": "inventory"})
    assert page.status_code == 200
    assert page.text.count('data-action="receiving"') == 1  # only store B's entry
    assert "qty=5" in page.text
    assert "qty=2" not in page.text
    assert console.client.get("/console/audit", params={"store": "store-a"}).status_code == 422
    day = console.clock().date().isoformat()
    res = console.client.get(
        "/console/audit", params={"actor": "manager_b", "from": day, "to": day}
    )
    assert res.text.count('data-action="receiving"') == 1
    for bad in ({"from": "yesterday"}, {"to": "9999-12-31"}, {"actor": "\x00" * 3}):
        assert console.client.get("/console/audit", params=bad).status_code in (200, 422), bad
    console.client.cookies.clear()
    console.login("admin")
    page = console.client.get("/console/audit", params={"entity": "inventory"})
    assert page.text.count('data-action="receiving"') == 2


def test_staff_cannot_open_admin_pages_and_csrf_is_needed(console: Console) -> None:
    console.login("staff_a")
    for url in ("/console/users", "/console/users/new", "/console/audit"):
        assert console.client.get(url).status_code == 403, url
    console.client.cookies.clear()
    console.login("admin")
    form = {"username": "x1", "password": "long enough pw", "role": "admin"}
    assert console.client.post("/console/users/new", data=form).status_code == 403
    assert (
        console.client.post("/console/users/new", data={**form, "csrf_token": "0"}).status_code
        == 403
    )
    with console.sessions() as s:
        assert s.scalars(select(User).where(User.username == "x1")).first() is None
