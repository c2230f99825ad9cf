"""The PostgreSQL bulk path: rows through ``rows_json`` and ``json_to_recordset`` come back
exactly (money, quantities, instants, text), whatever the values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Integer, MetaData, Numeric, String, Table, text

from cloud.db.session import make_engine
from cloud.db.upsert import json_rows, rows_json

pytestmark = pytest.mark.postgres

_META = MetaData()
_PROBE = Table(
    "probe",
    _META,
    Column("n", Integer),
    Column("amount", Numeric(14, 2)),
    Column("qty", Numeric(14, 3)),
    Column("at", DateTime(timezone=True)),
    Column("name", String(200)),
    Column("ref", String(40), nullable=True),
)
_COLUMNS = ("n", "amount", "qty", "at", "name", "ref")

money = st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False)
qty = st.decimals(min_value=-(10**10), max_value=10**10, places=3, allow_nan=False)
instants = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))]),
)
names = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                max_size=200)  # fmt: skip
rows = st.lists(
    st.fixed_dictionaries(
        {
            "n": st.integers(-(2**31), 2**31 - 1),
            "amount": money,
            "qty": qty,
            "at": instants,
            "name": names,
            "ref": st.none() | st.text(max_size=40).filter(lambda s: "\x00" not in s),
        }
    ),
    max_size=30,
)


@pytest.fixture
def engine(pg_url: str) -> Any:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=rows)
def test_rows_survive_the_json_record_set(engine: Any, batch: list[dict[str, Any]]) -> None:
    sql = f"SELECT n, amount, qty, at, name, ref FROM {json_rows(_PROBE, _COLUMNS)}"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute(sql, [rows_json(batch)])
            back = cur.fetchall()
    assert [tuple(r) for r in back] == [tuple(row[c] for c in _COLUMNS) for row in batch]


def test_an_over_long_value_is_refused_not_truncated(engine: Any) -> None:
    """Record types carry no length: the column's own limit applies on INSERT."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE probe (n int, amount numeric(14, 2), "
                          "qty numeric(14, 3), at timestamptz, name varchar(200), "
                          "ref varchar(40))"))  # fmt: skip
        raw = conn.connection.driver_connection
        row = {"n": 1, "amount": Decimal("1.00"), "qty": Decimal(1),
               "at": datetime.now(UTC), "name": "x", "ref": "r" * 41}  # fmt: skip
        with raw.cursor() as cur, pytest.raises(Exception, match="too long"):
            cur.execute(
                f"INSERT INTO probe SELECT * FROM {json_rows(_PROBE, _COLUMNS)}", [rows_json([row])]
            )
