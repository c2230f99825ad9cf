"""Cloud fixtures: every database test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.db.sqlite import use_immediate_transactions


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or the session's PostgreSQL database wiped clean."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture
def cloud_engine(db_url: str) -> Iterator[Engine]:
    """The schema created from the models (migrations are tested on their own)."""
    engine = use_immediate_transactions(make_engine(db_url))
    load_models().create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(cloud_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(cloud_engine)
