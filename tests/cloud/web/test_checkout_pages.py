"""A cashier (checkout) signed in with the console cookie gets no member data either: not the
member pages, not the API behind the cookie (issue 16, decision 0034)."""

from __future__ import annotations

from cloud.members import service as members
from tests.cloud.api.conftest import PASSWORD
from tests.cloud.web.conftest import CSRF_RE, Console


def test_a_cashier_session_lists_no_member(console: Console) -> None:
    with console.sessions() as s, s.begin():
        mid = members.create_member(s, phone="13800138000", name="Wang Fang").id
    page = console.client.get("/console/login")
    token = CSRF_RE.search(page.text)
    assert token is not None
    res = console.client.post(
        "/console/login",
        data={"username": "cashier_a", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert res.status_code == 303
    for url in ("/console/crm", f"/console/crm/members/{mid}", "/console/crm?q=138"):
        res = console.client.get(url)
        assert res.status_code == 403, url
        assert "13800138000" not in res.text
    for url in ("/api/v1/members", f"/api/v1/members/{mid}", f"/api/v1/members/{mid}/points"):
        res = console.client.get(url)  # the session cookie, no bearer token
        assert res.status_code == 403, url
        assert "13800138000" not in res.text
    res = console.client.get("/api/v1/members/lookup/balance", params={"phone": "13800138000"})
    assert res.status_code == 200
    assert res.json()["name"] == "W*** F***"
