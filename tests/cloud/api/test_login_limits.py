"""Brute force stays slow, yet nobody can lock anybody out, and the answers do not tell real
users from unknown ones: per (user, address) backoff, a per-address limit, an account lock a
known-good address or a reset link passes, admin unlock, reset-mail limits, login CSRF.

Clients come from distinct addresses (the ASGI client address of a TestClient), the way
several machines would reach the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.auth.models import OutboxMail
from tests.cloud.api.conftest import PASSWORD, Api

ATTACKER = "203.0.113.66"
HOME = "198.51.100.7"


@pytest.fixture
def clients(api: Api) -> Iterator[dict[str, TestClient]]:
    made: dict[str, TestClient] = {}

    class Pool(dict[str, TestClient]):
        def __missing__(self, address: str) -> TestClient:
            made[address] = TestClient(api.app, client=(address, 40000))
            self[address] = made[address]
            return made[address]

    yield Pool()
    for client in made.values():
        client.close()


def login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    res = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return res.status_code, {"body": res.json(), "retry": res.headers.get("retry-after")}


def test_an_attacker_cannot_lock_admin_out_of_their_own_address(
    api: Api, clients: dict[str, TestClient]
) -> None:
    """The issue's reproduction: 5 unauthenticated requests used to lock ``admin`` out."""
    for _ in range(5):
        assert login(clients[ATTACKER], "admin", "guess guess")[0] == 401
    # The attacker's address now waits; it learns nothing even with the right password.
    status, info = login(clients[ATTACKER], "admin", PASSWORD)
    assert status == 429
    assert info["retry"] == "60"
    # Admin, from their own address, is not affected.
    assert login(clients[HOME], "admin", PASSWORD)[0] == 200


def test_backoff_doubles_per_user_and_address_up_to_the_cap(
    api: Api, clients: dict[str, TestClient]
) -> None:
    attacker = clients[ATTACKER]
    for _ in range(5):
        login(attacker, "staff_a", "guess guess")
    waits = []
    for _ in range(6):
        status, info = login(attacker, "staff_a", "guess guess")
        assert status == 429
        wait = int(str(info["retry"]))
        waits.append(wait)
        api.clock.advance(seconds=wait)
        assert login(attacker, "staff_a", "guess guess")[0] == 401
    assert waits == [60, 120, 240, 480, 900, 900]


def test_password_spraying_from_one_address_is_slowed_for_every_username(
    api: Api, clients: dict[str, TestClient]
) -> None:
    sprayer = clients[ATTACKER]
    for i in range(30):
        assert login(sprayer, f"user{i}", "Winter2026!")[0] == 401
    # The address waits out the window (15 min), for real and unknown usernames alike.
    status, info = login(sprayer, "manager_a", PASSWORD)
    assert status == 429
    assert int(str(info["retry"])) == 15 * 60
    assert login(clients[HOME], "manager_a", PASSWORD)[0] == 200
    api.clock.advance(minutes=15)
    assert login(sprayer, "manager_a", PASSWORD)[0] == 200


def _distributed_attack(clients: dict[str, TestClient], username: str, tries: int = 50) -> None:
    for i in range(tries):
        assert login(clients[f"192.0.2.{i + 1}"], username, "guess guess")[0] == 401


def test_distributed_guessing_locks_the_account_only_for_new_addresses(
    api: Api, clients: dict[str, TestClient]
) -> None:
    assert login(clients[HOME], "manager_a", PASSWORD)[0] == 200  # a known-good address
    _distributed_attack(clients, "manager_a")
    # A right password from a new address is answered like a wrong one: no oracle.
    assert login(clients["192.0.2.200"], "manager_a", PASSWORD)[0] == 401
    # Its owner, from an address it has used, still gets in.
    assert login(clients[HOME], "manager_a", PASSWORD)[0] == 200
    admin = api.headers("admin")
    me = api.client.get("/api/v1/users", params={"q": "manager_a"}, headers=admin).json()
    assert me["items"][0]["locked_until"] is not None


def test_a_reset_link_passes_the_account_lock(api: Api, clients: dict[str, TestClient]) -> None:
    _distributed_attack(clients, "staff_a")
    laptop = clients["192.0.2.250"]
    assert login(laptop, "staff_a", PASSWORD)[0] == 401
    assert laptop.post("/api/v1/auth/password-reset", json={"username": "staff_a"}).status_code
    token = _reset_token(api, "staff_a@example.com")
    body = {"token": token, "new_password": "a fresh long password"}
    assert laptop.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 204
    assert login(laptop, "staff_a", "a fresh long password")[0] == 200


def test_admin_unlocks_through_the_api(api: Api, clients: dict[str, TestClient]) -> None:
    _distributed_attack(clients, "staff_b")
    phone = clients["192.0.2.251"]
    assert login(phone, "staff_b", PASSWORD)[0] == 401
    admin = api.headers("admin")
    user_id = api.client.get("/api/v1/users", params={"q": "staff_b"}, headers=admin).json()
    target = user_id["items"][0]["id"]
    res = api.client.post(f"/api/v1/users/{target}/unlock", headers=admin)
    assert res.status_code == 200
    assert res.json()["locked_until"] is None
    assert login(phone, "staff_b", PASSWORD)[0] == 200
    manager = api.headers("manager_a")
    assert api.client.post(f"/api/v1/users/{target}/unlock", headers=manager).status_code == 403


def test_real_and_unknown_users_get_the_same_answers(clients: dict[str, TestClient]) -> None:
    real = [login(clients["192.0.2.10"], "staff_a", "guess guess") for _ in range(6)]
    unknown = [login(clients["192.0.2.11"], "no_such_user", "guess guess") for _ in range(6)]
    assert real == unknown
    assert [status for status, _ in real] == [401] * 5 + [429]


def _reset_token(api: Api, to: str) -> str:
    with api.sessions() as session:
        mails = session.scalars(select(OutboxMail).where(OutboxMail.to == to)).all()
    assert mails, "no reset mail in the outbox"
    match = re.search(r"Reset token: (\S+)", mails[-1].body)
    assert match is not None
    return match.group(1)


def _mails(api: Api) -> int:
    with api.sessions() as session:
        return len(session.scalars(select(OutboxMail)).all())


def test_reset_mail_is_limited_per_user_and_per_address(
    api: Api, clients: dict[str, TestClient]
) -> None:
    """The issue: 30 requests sent 30 mails."""
    answers = [
        clients[f"192.0.2.{i + 1}"]
        .post("/api/v1/auth/password-reset", json={"username": "staff_a"})
        .status_code
        for i in range(30)
    ]
    assert answers == [202] * 30  # the same answer, but …
    assert _mails(api) == 3  # … at most three mails an hour to one user
    flooder = clients[ATTACKER]
    codes = [
        flooder.post("/api/v1/auth/password-reset", json={"username": f"u{i}"}).status_code
        for i in range(11)
    ]
    assert codes == [202] * 10 + [429]
    api.clock.advance(hours=1)
    assert flooder.post("/api/v1/auth/password-reset", json={"username": "x"}).status_code == 202
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    assert _mails(api) == 4


def test_a_newer_or_used_token_voids_the_others(api: Api) -> None:
    """The issue: a second outstanding token still worked after the first was used."""
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    first = _reset_token(api, "staff_a@example.com")
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    second = _reset_token(api, "staff_a@example.com")
    assert first != second
    confirm = "/api/v1/auth/password-reset/confirm"
    old = {"token": first, "new_password": "attacker password"}
    assert api.client.post(confirm, json=old).status_code == 400  # voided by the newer one
    api.clock.advance(hours=1)
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    third = _reset_token(api, "staff_a@example.com")
    api.client.post("/api/v1/auth/password-reset", json={"username": "staff_a"})
    fourth = _reset_token(api, "staff_a@example.com")
    ok = {"token": fourth, "new_password": "owner password"}
    assert api.client.post(confirm, json=ok).status_code == 204
    for token in (second, third):
        late = {"token": token, "new_password": "attacker password"}
        assert api.client.post(confirm, json=late).status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/auth/session", "/api/v1/auth/token"])
def test_a_login_posted_by_another_site_sets_no_cookie(api: Api, path: str) -> None:
    form = {"username": "staff_a", "password": PASSWORD}
    for header in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/login-csrf.html"},
    ):
        res = api.client.post(path, data=form, headers=header)
        assert res.status_code == 403, header
        assert "set-cookie" not in res.headers
    same = api.client.post(path, data=form, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
