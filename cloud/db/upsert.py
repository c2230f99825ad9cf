"""Dialect-aware INSERT … ON CONFLICT DO NOTHING, the base of every idempotent write.

Duplicates are settled by the database's UNIQUE constraints, never by Python locks, so
several ingest workers can race safely on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def insert_ignore(session: Session, table: Table | Any) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's dialect (any unique constraint)."""
    target = getattr(table, "__table__", table)
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(target).on_conflict_do_nothing()
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(target).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-or-ignore for dialect {name}")


def table_of(model: Any) -> Table:
    """The Core table of a mapped class, for fast executemany inserts."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Append-only rows in bulk: COPY on PostgreSQL, executemany elsewhere.

    Measured for sale ingest (bench/ingest.py): psycopg's executemany sends one statement per
    row and multi-row VALUES spends its time parsing huge query strings; COPY inside the same
    transaction is several times faster than either.
    """
    if not rows:
        return
    table = table_of(model)
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    for name in columns:
        table.c[name]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    column_list = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def reserve_ids(session: Session, model: Any, count: int) -> list[int] | None:
    """Primary keys drawn from the table's sequence (PostgreSQL), so rows can go by COPY
    with their ids known; None on databases without sequences."""
    if session.get_bind().dialect.name != "postgresql" or count <= 0:
        return None
    table = table_of(model)
    stmt = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    return [int(v) for v in session.execute(stmt, {"table": table.name, "n": count}).scalars()]
