"""Console fixtures: the app on the parametrized database (SQLite file and PostgreSQL), a fake
clock, two stores and one user per role (the API tests' seed), a memory command sender."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.auth.service import make_hasher
from cloud.main import create_app
from cloud.settings import CloudSettings
from cloud.web.commands import MemorySender
from tests.cloud.api.conftest import PASSWORD, FakeClock, seed

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Console:
    client: TestClient
    clock: FakeClock
    sessions: sessionmaker[Session]
    sender: MemorySender
    settings: CloudSettings
    home: str = "/console"
    app: FastAPI | None = None

    def login(self, username: str, password: str = PASSWORD) -> str:
        """Signs in through the login form; returns the session's CSRF token."""
        page = self.client.get("/console/login")
        token = CSRF_RE.search(page.text)
        assert token is not None
        res = self.client.post(
            "/console/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert res.status_code == 303, res.text
        self.home = res.headers["location"]
        return self.csrf()

    def csrf(self) -> str:
        """The session's token, from the meta tag of the user's landing page."""
        res = self.client.get(self.home)
        match = re.search(r'name="csrf-token" content="([^"]+)"', res.text)
        assert match is not None, res.text[:300]
        return match.group(1)


@pytest.fixture
def console(cloud_engine: Engine, db_url: str, tmp_path: object) -> Iterator[Console]:
    clock = FakeClock()
    settings = CloudSettings(
        database_url=db_url, maintenance_notice="Maintenance at 22:00", lockout_failures=3
    )
    app = create_app(settings, engine=cloud_engine, clock=clock, hasher=make_hasher(fast=True))
    sender = MemorySender()
    app.state.console.commands = sender
    sessions: sessionmaker[Session] = app.state.ctx.sessions
    with sessions() as session, session.begin():
        seed(session, clock())
    with TestClient(app) as client:
        yield Console(client, clock, sessions, sender, settings, app=app)
