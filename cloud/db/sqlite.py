"""SQLite write transactions that take the write lock up front (``BEGIN IMMEDIATE``).

With the default deferred BEGIN, a worker that read first and then writes after another
worker committed fails at once with "database is locked" (WAL snapshot), whatever the busy
timeout; taking the lock at BEGIN makes concurrent ingest workers queue instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def use_immediate_transactions(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
