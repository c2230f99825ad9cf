"""``paged``: one page of an ordered query and the count of every matching row, on SQLite and
PostgreSQL (the repositories' list reads rely on both numbers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.paging import paged
from cloud.stores.models import Store
from cloud.stores.service import create_store


def _stores(session_factory: sessionmaker[Session], n: int) -> None:
    with session_factory() as session:
        for i in range(n):
            create_store(session, f"s{i}", f"Store {i}", active=i % 2 == 0)
        session.commit()


def test_a_page_and_the_total_without_paging(session_factory: sessionmaker[Session]) -> None:
    _stores(session_factory, 7)
    by_code = select(Store).order_by(Store.code)
    with session_factory() as session:
        rows, total = paged(session, by_code, 3, 3)
        assert [s.code for s in rows] == ["s3", "s4", "s5"]
        assert total == 7
        rows, total = paged(session, by_code, 3, 6)
        assert [s.code for s in rows] == ["s6"]
        assert total == 7
        rows, total = paged(session, by_code, 3, 10)
        assert list(rows) == []
        assert total == 7


def test_the_total_counts_the_filtered_rows(session_factory: sessionmaker[Session]) -> None:
    _stores(session_factory, 7)
    active = select(Store).where(Store.active.is_(True)).order_by(Store.code.desc())
    with session_factory() as session:
        rows, total = paged(session, active, 2, 0)
        assert [s.code for s in rows] == ["s6", "s4"]
        assert total == 4
