"""Lane state under concurrent ingest workers: an older stock event never wins."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert
from cloud.inventory import service
from cloud.inventory.models import LaneState
from cloud.stores.models import Store
from contracts.messages import StockData
from tests.cloud.factories import setup_store

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _stock(count: int, state: str) -> StockData:
    return StockData(
        lane="a1",
        sku="MILK-1L",
        gtin="06901234567892",
        count=count,
        grams=Decimal(count * 1000),
        state=state,  # type: ignore[arg-type]
    )


def _store_id(session: Session) -> int:
    store_id = session.scalar(select(Store.id).where(Store.code == "demo"))
    assert store_id is not None
    return store_id


def test_first_event_creates_the_lane_and_older_ones_are_ignored(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        setup_store(s)
        sid = _store_id(s)
        row = service.apply_stock(
            s, store_id=sid, node="shelf-1", data=_stock(3, "low"), now=T0, seq=5
        )
        assert row is not None
        assert (row.count, row.state, row.seq) == (3, "low", 5)
        late = service.apply_stock(
            s, store_id=sid, node="shelf-1", data=_stock(9, "ok"), now=T0, seq=4
        )
        assert late is None
        s.commit()
        lane = s.scalars(select(LaneState)).one()
        assert (lane.count, lane.state, lane.seq) == (3, "low", 5)
        assert [a.type for a in s.scalars(select(Alert))] == ["low_stock"]


@pytest.mark.parametrize(  # row locks: SQLite has one writer at a time anyway
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_an_older_event_waits_for_the_newer_ones_commit_and_loses(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        setup_store(s)
        sid = _store_id(s)
        service.apply_stock(s, store_id=sid, node="shelf-1", data=_stock(8, "ok"), now=T0, seq=1)
        s.commit()
    newer = session_factory()
    service.apply_stock(  # seq 3 holds the lane, not committed yet
        newer, store_id=sid, node="shelf-1", data=_stock(0, "out"), now=T0, seq=3
    )
    outcome: list[LaneState | None] = []

    def older() -> None:  # seq 2, read before the lock: it would overwrite seq 3
        with session_factory() as s2:
            outcome.append(
                service.apply_stock(
                    s2,
                    store_id=sid,
                    node="shelf-1",
                    data=_stock(2, "low"),
                    now=T0 + timedelta(seconds=1),
                    seq=2,
                )
            )
            s2.commit()

    worker = threading.Thread(target=older)
    worker.start()
    worker.join(0.5)
    assert worker.is_alive(), "the older event should wait on the lane's row lock"
    newer.commit()
    newer.close()
    worker.join(10)
    assert outcome == [None]
    with session_factory() as s:
        lane = s.scalars(select(LaneState)).one()
        assert (lane.count, lane.state, lane.seq) == (0, "out", 3)
