"""Regression (found by the long soak): two ingest workers may apply a node's raise/clear
out of order; a stale clear or a stale raise must not leave an alert resolved before it was
opened, nor re-open an alert the node has since cleared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts import service as alerts
from cloud.alerts.models import Alert
from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.stores import service as stores

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    load_models().create_all(engine)
    made = make_sessionmaker(engine)
    with transaction(made) as s:
        stores.create_store(s, "demo", "Demo")
    yield made
    engine.dispose()


def toggle(s: Session, active: bool, at: datetime) -> None:
    store_id = stores.get_store(s, "demo").id
    if active:
        alerts.open_alert(s, store_id=store_id, source="kiosk-1", alert_type="x", now=at)
    else:
        alerts.clear_alert(s, store_id=store_id, source="kiosk-1", alert_type="x", now=at)


def test_stale_clear_and_stale_raise_are_ignored(factory: sessionmaker[Session]) -> None:
    # the node did: raise t0, clear t1, raise t2; the cloud applies raise t0, raise t2, clear t1
    with transaction(factory) as s:
        toggle(s, True, T)
    with transaction(factory) as s:
        toggle(s, False, T + timedelta(seconds=1))
    with transaction(factory) as s:
        toggle(s, True, T + timedelta(seconds=2))
    with transaction(factory) as s:
        toggle(s, False, T + timedelta(seconds=1))  # redelivered late: stale
    with factory() as s:
        rows = s.scalars(select(Alert).order_by(Alert.id)).all()
    assert [a.resolved_at is None for a in rows] == [False, True]
    assert all(a.resolved_at is None or a.resolved_at >= a.opened_at for a in rows)
    # and a raise older than the last clear does not reopen: node did raise t3, clear t4
    with transaction(factory) as s:
        toggle(s, False, T + timedelta(seconds=4))
        toggle(s, True, T + timedelta(seconds=3))  # applied after the newer clear
    with factory() as s:
        assert s.scalars(select(Alert).where(Alert.resolved_at.is_(None))).all() == []
