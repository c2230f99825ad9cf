"""Login, lockout, logout, reset tokens, cookie sessions with CSRF, case-sensitive usernames."""

from __future__ import annotations

import re

from sqlalchemy import select

from cloud.auth.models import OutboxMail
from tests.cloud.api.conftest import PASSWORD, Api


def _login(api: Api, username: str, password: str) -> int:
    res = api.client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return res.status_code


def test_token_gives_access_and_me_shows_roles_and_stores(api: Api) -> None:
    res = api.client.get("/api/v1/auth/me", headers=api.headers("manager_a"))
    assert res.status_code == 200
    body = res.json()
    assert (body["username"], body["role"], body["stores"]) == ("manager_a", "manager", ["store-a"])
    assert body["created_at"].endswith("Z")


def test_usernames_are_case_sensitive(api: Api) -> None:
    assert _login(api, "Admin", PASSWORD) == 401
    assert _login(api, "ADMIN", PASSWORD) == 401
    assert _login(api, "admin", PASSWORD) == 200
    admin = api.headers("admin")
    res = api.client.post(
        "/api/v1/users",
        json={"username": "Admin", "password": "another password", "role": "admin"},
        headers=admin,
    )
    assert res.status_code == 201  # a different user, not a duplicate
    assert _login(api, "Admin", "another password") == 200
    assert _login(api, "admin", "another password") == 401
    dup = api.client.post(
        "/api/v1/users",
        json={"username": "Admin", "password": "third password", "role": "admin"},
        headers=admin,
    )
    assert dup.status_code == 409


def test_backoff_after_five_failures_then_success_clears_it(api: Api) -> None:
    for _ in range(5):
        assert _login(api, "staff_a", "wrong password") == 401
    # This client now waits a minute, whatever it sends (the right password too).
    assert _login(api, "staff_a", PASSWORD) == 429
    api.clock.advance(seconds=60)
    assert _login(api, "staff_a", PASSWORD) == 200
    # A success clears the count: four more failures do not make it wait.
    for _ in range(4):
        assert _login(api, "staff_a", "wrong password") == 401
    assert _login(api, "staff_a", PASSWORD) == 200


def test_failures_are_per_user_and_audited(api: Api) -> None:
    for _ in range(5):
        _login(api, "staff_a", "nope nope")
    assert _login(api, "staff_b", PASSWORD) == 200
    res = api.client.get("/api/v1/audit", params={"actor": "staff_a"}, headers=api.headers("admin"))
    actions = [e["action"] for e in res.json()["items"]]
    assert actions.count("login_failed") == 5
    failed = [e for e in res.json()["items"] if e["action"] == "login_failed"]
    assert {e["details"]["channel"] for e in failed} == {"api"}  # same shape as the console's
    assert {e["details"]["reason"] for e in failed} <= {
        "AuthenticationError",
        "TooManyAttemptsError",
    }


def test_logout_revokes_the_token(api: Api) -> None:
    headers = api.headers("staff_a")
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_token_expires(api: Api) -> None:
    headers = api.headers("staff_a")
    api.clock.advance(minutes=29)
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    api.clock.advance(minutes=1)
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def _reset_token(api: Api, to: str) -> str:
    with api.sessions() as session:
        mails = session.scalars(select(OutboxMail).where(OutboxMail.to == to)).all()
    assert mails, "no reset mail in the outbox"
    match = re.search(r"Reset token: (\S+)", mails[-1].body)
    assert match is not None
    return match.group(1)


def test_reset_token_is_single_use(api: Api) -> None:
    res = api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    assert res.status_code == 202
    token = _reset_token(api, "staff_a@example.com")
    old = api.headers("staff_a")
    body = {"token": token, "new_password": "brand new password"}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 204
    assert _login(api, "staff_a", PASSWORD) == 401
    assert _login(api, "staff_a", "brand new password") == 200
    assert api.client.get("/api/v1/auth/me", headers=old).status_code == 401  # sessions revoked
    again = {"token": token, "new_password": "another new password"}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=again).status_code == 400
    assert _login(api, "staff_a", "brand new password") == 200
    res = api.client.get("/api/v1/audit", params={"actor": "staff_a"}, headers=api.headers("admin"))
    actions = [e["action"] for e in res.json()["items"]]
    assert actions.count("password_reset") == 1  # the spent token's second try is not one


def test_reset_token_expires_after_thirty_minutes(api: Api) -> None:
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    token = _reset_token(api, "staff_a@example.com")
    api.clock.advance(minutes=30)
    body = {"token": token, "new_password": "brand new password"}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 400
    assert _login(api, "staff_a", PASSWORD) == 200


def test_reset_for_unknown_user_answers_the_same_and_sends_nothing(api: Api) -> None:
    res = api.client.post("/api/v1/auth/password-reset", json={"username": "nobody"})
    assert res.status_code == 202
    with api.sessions() as session:
        assert session.scalars(select(OutboxMail)).all() == []
    bad = {"token": "made-up", "new_password": "brand new password"}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=bad).status_code == 400


def test_reset_also_lifts_a_backoff(api: Api) -> None:
    for _ in range(5):
        _login(api, "staff_a", "wrong password")
    assert _login(api, "staff_a", PASSWORD) == 429
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    token = _reset_token(api, "staff_a@example.com")
    body = {"token": token, "new_password": "brand new password"}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 204
    assert _login(api, "staff_a", "brand new password") == 200


def test_password_change_keeps_this_token_and_revokes_others(api: Api) -> None:
    mine, other = api.headers("staff_a"), api.headers("staff_a")
    wrong = {"current": "not it at all", "new": "a new password"}
    assert api.client.post("/api/v1/auth/password", json=wrong, headers=mine).status_code == 422
    body = {"current": PASSWORD, "new": "a new password"}
    assert api.client.post("/api/v1/auth/password", json=body, headers=mine).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=mine).status_code == 200
    assert api.client.get("/api/v1/auth/me", headers=other).status_code == 401
    assert _login(api, "staff_a", "a new password") == 200
    short = {"current": "a new password", "new": "short"}
    res = api.client.post("/api/v1/auth/password", json=short, headers=mine)
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["body", "new"]


def test_cookie_session_needs_csrf_for_writes(api: Api) -> None:
    res = api.client.post(
        "/api/v1/auth/session", data={"username": "staff_a", "password": PASSWORD}
    )
    assert res.status_code == 200
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    csrf = res.json()["csrf_token"]
    assert api.client.get("/api/v1/auth/me").status_code == 200  # reads need no CSRF token
    assert api.client.get("/api/v1/auth/csrf").json()["csrf_token"] == csrf
    body = {"current": PASSWORD, "new": "a new password"}
    assert api.client.post("/api/v1/auth/password", json=body).status_code == 403
    bad = {"X-CSRF-Token": "0" * 64}
    assert api.client.post("/api/v1/auth/password", json=body, headers=bad).status_code == 403
    ok = {"X-CSRF-Token": csrf}
    assert api.client.post("/api/v1/auth/password", json=body, headers=ok).status_code == 204
    assert api.client.post("/api/v1/auth/logout", headers=ok).status_code == 204
    api.client.cookies.clear()
    assert api.client.get("/api/v1/auth/me").status_code == 401


def test_session_token_is_not_a_bearer_token(api: Api) -> None:
    res = api.client.post(
        "/api/v1/auth/session", data={"username": "staff_a", "password": PASSWORD}
    )
    raw = res.cookies.get("smartstore_session")
    api.client.cookies.clear()
    assert raw
    headers = {"Authorization": f"Bearer {raw}"}
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_disabled_user_cannot_log_in_and_loses_tokens(api: Api) -> None:
    victim = api.headers("staff_a")
    me = api.client.get("/api/v1/auth/me", headers=victim).json()
    res = api.client.patch(
        f"/api/v1/users/{me['id']}", json={"active": False}, headers=api.headers("admin")
    )
    assert res.status_code == 200
    assert api.client.get("/api/v1/auth/me", headers=victim).status_code == 401
    assert _login(api, "staff_a", PASSWORD) == 401
