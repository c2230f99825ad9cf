"""What every response and request goes through: security headers on the API, docs and
console alike, HSTS and Secure cookies over HTTPS, request-body and line limits, and which
client address counts behind a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloud.inventory.models import Movement
from cloud.settings import CloudSettings
from tests.cloud.api.conftest import PASSWORD, Api


@pytest.fixture
def settings(db_url: str) -> CloudSettings:
    return CloudSettings(database_url=db_url, max_body_bytes=400_000)


@pytest.mark.parametrize(
    ("path", "csp"),
    [
        ("/api/v1/auth/me", "default-src 'none'"),
        ("/api/v1/products", "default-src 'none'"),
        ("/openapi.json", "default-src 'none'"),
        ("/healthz", "default-src 'none'"),
        ("/docs", "script-src 'self'"),
        ("/console/login", "script-src 'self'"),
    ],
)
def test_security_headers_on_every_surface(api: Api, path: str, csp: str) -> None:
    res = api.client.get(path, headers=api.headers("admin"))
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["x-frame-options"] == "DENY"
    assert res.headers["referrer-policy"] == "same-origin"
    assert csp in res.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in res.headers["content-security-policy"]
    assert "strict-transport-security" not in res.headers  # plain HTTP: no HSTS


def test_https_requests_get_hsts_and_secure_cookies(api: Api) -> None:
    with TestClient(api.app, base_url="https://testserver") as tls:
        res = tls.post("/api/v1/auth/session", data={"username": "admin", "password": PASSWORD})
        assert res.status_code == 200
        assert res.headers["strict-transport-security"] == "max-age=31536000"
        assert "; Secure" in res.headers["set-cookie"]
        login = tls.get("/console/login")
        assert "; Secure" in login.headers["set-cookie"]
    plain = api.client.post(
        "/api/v1/auth/session", data={"username": "admin", "password": PASSWORD}
    )
    assert "secure" not in plain.headers["set-cookie"].lower()


def _stocktake(lines: int) -> dict[str, list[dict[str, str]]]:
    return {
        "counts": [
            {"sku": "MILK-1", "counted": str(i % 7), "reason": "miscount"} for i in range(lines)
        ]
    }


def test_a_body_over_the_limit_is_a_413(api: Api) -> None:
    headers = api.headers("manager_a")
    url = "/api/v1/inventory/store-a/stocktake"
    big = b'{"counts": [' + b" " * 400_000 + b"]}"
    res = api.client.post(url, content=big, headers=headers | {"content-type": "application/json"})
    assert res.status_code == 413
    assert "detail" in res.json()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"counts": ['
        for _ in range(100):
            yield b" " * 10_000
        yield b"]}"

    res = api.client.post(
        url, content=chunks(), headers=headers | {"content-type": "application/json"}
    )
    assert res.status_code == 413
    assert res.json()["detail"]


def test_too_many_lines_is_a_422_and_many_lines_are_applied_in_one_go(api: Api) -> None:
    headers = api.headers("manager_a")
    url = "/api/v1/inventory/store-a/stocktake"
    res = api.client.post(url, json=_stocktake(5001), headers=headers)
    assert res.status_code == 422
    assert res.json()["detail"][0]["loc"] == ["body", "counts"]
    res = api.client.post(url, json=_stocktake(4000), headers=headers)
    assert res.status_code == 201
    moves = res.json()
    assert len(moves) == 4000
    # A product counted many times: each variance is against the count before it.
    assert [m["qty"] for m in moves[:3]] == ["0", "1", "1"]
    with api.sessions() as session:
        total = sum(m.qty for m in session.scalars(select(Movement)))
    assert total == 3999 % 7
    unknown = {
        "counts": [
            {"sku": "MILK-1", "counted": "1", "reason": "found"},
            {"sku": "NOPE", "counted": "1", "reason": "found"},
        ]
    }
    res = api.client.post(url, json=unknown, headers=headers)
    assert res.status_code == 404
    assert "NOPE" in res.json()["detail"]


def _failures_from(api: Api, address: str, forwarded: str, n: int) -> list[int]:
    with TestClient(api.app, client=(address, 40000)) as client:
        return [
            client.post(
                "/api/v1/auth/token",
                data={"username": "admin", "password": "guess guess"},
                headers={"X-Forwarded-For": f"{forwarded}.{i}"},
            ).status_code
            for i in range(n)
        ]


def test_x_forwarded_for_is_ignored_unless_from_a_trusted_proxy(api: Api) -> None:
    # An attacker rotating X-Forwarded-For is still one address to the limits.
    assert _failures_from(api, "203.0.113.66", "10.9.9", 6) == [401] * 5 + [429]


def test_a_trusted_proxy_names_the_client(db_url: str, api: Api) -> None:
    from cloud.main import create_app

    settings = CloudSettings(database_url=db_url, trusted_proxies=["127.0.0.0/8"])
    app = create_app(settings, engine=api.app.state.engine, clock=api.clock)
    proxied = Api(client=api.client, app=app, clock=api.clock, sessions=api.sessions)
    # Behind the proxy, six different clients: none waits.
    assert _failures_from(proxied, "127.0.0.1", "198.51.100", 6) == [401] * 6
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        res = client.post(
            "/api/v1/auth/session",
            data={"username": "admin", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.200"},
        )
    assert res.status_code == 200
    assert "; Secure" in res.headers["set-cookie"]
    assert res.headers["strict-transport-security"] == "max-age=31536000"
