"""``smartstore cloud create-user`` and ``cloud serve`` (a real uvicorn process)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cloud.cli import app
from cloud.db.models import load_models
from cloud.db.session import make_engine
from cloud.stores import service as stores
from smartstore.broker import free_port


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    load_models().create_all(engine)
    from cloud.db.session import make_sessionmaker, transaction

    with transaction(make_sessionmaker(engine)) as session:
        stores.create_store(session, "demo", "Demo")
    engine.dispose()
    return url


def test_create_user_with_store_and_generated_password(sqlite_url: str) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "create-user",
            "Li.Na",
            "--role",
            "staff",
            "--store",
            "demo",
            "--database-url",
            sqlite_url,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "user Li.Na (staff) created" in res.output
    assert "password: " in res.output
    again = runner.invoke(
        app,
        [
            "create-user",
            "Li.Na",
            "--role",
            "staff",
            "--store",
            "demo",
            "--database-url",
            sqlite_url,
        ],
    )
    assert again.exit_code == 1
    assert "taken" in again.output
    bad = runner.invoke(app, ["create-user", "x", "--role", "boss", "--database-url", sqlite_url])
    assert bad.exit_code == 2
    nostore = runner.invoke(
        app,
        ["create-user", "y", "--role", "staff", "--store", "nope", "--database-url", sqlite_url],
    )
    assert nostore.exit_code == 1


@pytest.mark.slow
def test_serve_answers_and_logs_in(sqlite_url: str) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["create-user", "admin", "--role", "admin", "--password", "long enough pw",
         "--database-url", sqlite_url],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "smartstore", "cloud", "serve", "--port", str(port),
         "--no-publish", "--database-url", sqlite_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "SMARTSTORE_SECRET_KEY": "k" * 40},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, "serve exited"
                assert time.monotonic() < deadline, "serve did not answer in 30 s"
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        form = {"username": "admin", "password": "long enough pw"}
        token = httpx.post(f"{base}/api/v1/auth/token", data=form).json()["access_token"]
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "admin"
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200
        assert "http" not in docs.text  # every asset from this server, none from a CDN
        assert "script-src 'self'" in docs.headers["content-security-policy"]
        for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
            assert httpx.get(base + asset).status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize(
    ("key", "reason"),
    [(None, "is the default"), ("short-key", "has 9 characters; use at least 32")],
)
def test_serve_refuses_a_default_or_short_secret_key(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, key: str | None, reason: str
) -> None:
    monkeypatch.delenv("SMARTSTORE_SECRET_KEY", raising=False)
    if key is not None:
        monkeypatch.setenv("SMARTSTORE_SECRET_KEY", key)
    res = CliRunner().invoke(app, ["serve", "--no-publish", "--database-url", sqlite_url])
    assert res.exit_code == 2
    assert f"secret_key (SMARTSTORE_SECRET_KEY) {reason}" in res.output
