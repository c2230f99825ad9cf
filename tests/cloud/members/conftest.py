"""A module-wide SQLite database for property tests (hypothesis reruns the test body)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.db.sqlite import use_immediate_transactions


@pytest.fixture(scope="module")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    path: Path = tmp_path_factory.mktemp("members") / "ledger.sqlite3"
    engine = use_immediate_transactions(make_engine(f"sqlite:///{path}"))
    load_models().create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()
