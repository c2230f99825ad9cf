"""Dialect-aware INSERT … ON CONFLICT DO NOTHING, the base of every idempotent write.

Duplicates are settled by the database's UNIQUE constraints, never by Python locks, so
several ingest workers can race safely on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import msgspec
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    TypeDecorator,
    insert,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.sqltypes import NullType


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


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def driver_connection(session: Session) -> Any:
    """The psycopg connection under the session's transaction (PostgreSQL fast paths)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return raw


def _array_type(column: Any) -> str:
    """Type of a column in a record set: base types only, no length or scale, so the INSERT's
    own assignment applies them (an explicit cast to varchar(n) would truncate silently)."""
    col_type = column.type
    if isinstance(col_type, NullType) and column.foreign_keys:
        # The type of a foreign key column comes from its target, resolved lazily; every
        # surrogate key is an integer ``id`` (decision 0021).
        fk = next(iter(column.foreign_keys))
        if fk.target_fullname.endswith(".id"):
            return "int4"
        col_type = fk.column.type
    if isinstance(col_type, TypeDecorator):
        col_type = col_type.impl_instance
    for kind, name in _PG_ARRAY_TYPES:
        if isinstance(col_type, kind):
            return name
    raise NotImplementedError(f"no record type for {column} ({col_type!r})")


_PG_ARRAY_TYPES: tuple[tuple[type[Any], str], ...] = (
    (BigInteger, "int8"),
    (Integer, "int4"),
    (Numeric, "numeric"),
    (Boolean, "bool"),
    (DateTime, "timestamptz"),
    (Date, "date"),
    (String, "text"),
)


def json_rows(table: Table, columns: Sequence[str], alias: str = "u", extra: str = "") -> str:
    """``json_to_recordset(%s::json) AS alias(c1 t1, …)``: a whole batch as one JSON parameter.

    Rows leave Python as one ``json.dumps`` (C) and are taken apart by the server, on its own
    core, so a bulk INSERT … SELECT is one short, constant (prepared) statement whatever the
    batch size. psycopg's array and per-row dumpers cost 1.5–6 µs per value in Python, a
    multi-row VALUES string 40 µs per event to build and parse (docs/BENCHMARKS.md).
    ``extra`` names a leading text key that is not a column (a join key).
    """
    fields = ([f"{extra} text"] if extra else []) + [
        f'"{name}" {_array_type(table.c[name])}' for name in columns
    ]
    return f"json_to_recordset(%s::json) AS {alias}({', '.join(fields)})"


@cache
def _encoder() -> msgspec.json.Encoder:
    return msgspec.json.Encoder()


def rows_json(rows: Iterable[dict[str, Any]]) -> str:
    """The parameter of :func:`json_rows`: Decimals as exact strings, datetimes RFC 3339.

    msgspec encodes Decimal and datetime in C: 6× faster than ``json.dumps`` with a
    ``default`` hook, which was the largest Python cost of a batch (decision 0023).
    """
    data = rows if isinstance(rows, list) else list(rows)
    return _encoder().encode(data).decode()
