"""API fixtures: the app on the parametrized database (SQLite file and PostgreSQL), a fake
clock, a cheap argon2id hasher, two stores and one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloud.auth.models import Role
from cloud.auth.service import create_user, make_hasher
from cloud.main import create_app
from cloud.products import service as products
from cloud.settings import CloudSettings
from cloud.stores import service as stores

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PASSWORD = "correct horse battery"


class FakeClock:
    """A clock tests move by hand: lockout and expiry without sleeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Api:
    """The client plus helpers to log in as the seeded users."""

    client: TestClient
    app: FastAPI
    clock: FakeClock
    sessions: sessionmaker[Session]

    def token(self, username: str, password: str = PASSWORD) -> str:
        res = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert res.status_code == 200, res.text
        token: str = res.json()["access_token"]
        return token

    def headers(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, password)}"}


USERS = {
    "admin": (Role.ADMIN, []),
    "hq": (Role.HQ, []),
    "manager_a": (Role.MANAGER, ["store-a"]),
    "manager_b": (Role.MANAGER, ["store-b"]),
    "staff_a": (Role.STAFF, ["store-a"]),
    "staff_b": (Role.STAFF, ["store-b"]),
    "cashier_a": (Role.CASHIER, ["store-a"]),
}


def seed(session: Session, now: datetime) -> None:
    hasher = make_hasher(fast=True)
    for code in ("store-a", "store-b"):
        stores.create_store(session, code, f"Store {code}")
    for name, (role, codes) in USERS.items():
        create_user(
            session,
            username=name,
            password=PASSWORD,
            role=role,
            store_codes=codes,
            now=now,
            hasher=hasher,
            email=f"{name}@example.com",
        )
    products.ensure_tax_class(session, "std", Decimal("0.13"), "Standard")
    products.ensure_category(session, "dairy", "Dairy")
    products.create_product(
        session,
        sku="MILK-1",
        name="Milk 1 L",
        price=Decimal("12.50"),
        gtins=["6901234567892"],
        category="dairy",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str) -> CloudSettings:
    return CloudSettings(database_url=db_url)


@pytest.fixture
def api(cloud_engine: Engine, settings: CloudSettings, clock: FakeClock) -> Iterator[Api]:
    app = create_app(settings, engine=cloud_engine, clock=clock, hasher=make_hasher(fast=True))
    sessions: sessionmaker[Session] = app.state.ctx.sessions
    with sessions() as session, session.begin():
        seed(session, clock())
    with TestClient(app) as client:
        yield Api(client=client, app=app, clock=clock, sessions=sessions)
