"""Backup, restore into a fresh database, and every report returns the same numbers.

For SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore): a database filled through
the real ingest pipeline (sales over several days, members, stock, a Z report, a dead
letter) is backed up through the CLI, restored into a new database, then compared table by
table and through every parameterless GET endpoint of the API (reports, sales, inventory,
finance …). After restore, ingest still deduplicates and keeps numbering rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select, text
from typer.testing import CliRunner

from cloud.auth.models import Role
from cloud.auth.service import create_user, make_hasher
from cloud.db.migrate import upgrade
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.finance import service as finance
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.main import create_app
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from smartstore.cli import build_app
from tests.cloud.factories import GTINS, envelope, message, sale_data, setup_store
from tests.support.services import postgres_database

PASSWORD = "correct horse battery"
DAY0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PARAMS = {
    "store": "demo",
    "from": "2026-03-01",
    "to": "2026-03-08",
    "since": "2026-03-01T00:00:00Z",
    "limit": "500",
}


def fill(url: str) -> None:
    upgrade(url, "head")
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    try:
        with transaction(factory) as s:
            setup_store(s)
            create_user(
                s,
                username="admin",
                password=PASSWORD,
                role=Role.ADMIN,
                store_codes=[],
                now=DAY0,
                hasher=make_hasher(fast=True),
            )
        batch: list[Inbound] = []
        for i in range(90):
            node = ("kiosk-1", "kiosk-2")[i % 2]
            data = sale_data(f"S-{i:03d}", member={"phone": "13800000001"} if i % 4 == 0 else None)
            at = DAY0 + timedelta(days=i % 5, hours=i % 9, minutes=i)
            data["completed_at"] = at.isoformat().replace("+00:00", "Z")
            env = envelope("sale", data, seq=i // 2 + 1, node=node, ts=at)
            batch.append(Inbound(*message(env)))
        for j, (count, state) in enumerate([(9, "ok"), (2, "low"), (0, "out"), (12, "ok")]):
            stock = {
                "lane": f"a{j % 2}",
                "sku": f"SKU-{j % 2}",
                "gtin": GTINS[j % 2],
                "count": count,
                "grams": str(count * 250),
                "state": state,
            }
            batch.append(Inbound(*message(envelope("stock", stock, seq=j + 1, node="shelf-1"))))
        batch.append(Inbound("smartstore/v1/demo/kiosk-1/evt/sale", b'{"broken": '))
        Pipeline(factory, clock=lambda: DAY0 + timedelta(days=6)).process(batch)
    finally:
        engine.dispose()


def dump_tables(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table the database really has (reflected), in primary-key order."""
    engine = make_engine(url)
    meta = MetaData()
    out: dict[str, list[tuple[str, ...]]] = {}
    try:
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(select(table).order_by(*order))
                out[table.name] = [tuple(str(v) for v in row) for row in rows]
    finally:
        engine.dispose()
    return out


def api_snapshot(url: str) -> dict[str, Any]:
    """Status and body of every GET endpoint with no path parameter but ``{store}``."""
    engine = make_engine(url)
    app = create_app(CloudSettings(database_url=url), engine=engine, hasher=make_hasher(fast=True))
    out: dict[str, Any] = {}
    try:
        with TestClient(app) as client:
            res = client.post(
                "/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}
            )
            assert res.status_code == 200, res.text
            headers = {"Authorization": f"Bearer {res.json()['access_token']}"}
            for path, ops in sorted(app.openapi()["paths"].items()):
                if (
                    "get" not in ops
                    or not path.startswith("/api/v1/")
                    or "{" in path.replace("{store}", "")
                    or path.startswith(("/api/v1/auth", "/api/v1/audit", "/api/v1/users"))
                ):
                    continue
                got = client.get(path.replace("{store}", "demo"), params=PARAMS, headers=headers)
                body = got.json() if "json" in got.headers.get("content-type", "") else got.text
                out[path] = (got.status_code, body)
        with make_sessionmaker(engine)() as s:
            store_id = s.scalar(text("SELECT id FROM stores WHERE code = 'demo'"))
            profit = finance.profit(s, store_id, DAY0 - timedelta(days=1), DAY0 + timedelta(days=9))
            out["finance.profit"] = {k: str(v) for k, v in profit.items()}
    finally:
        engine.dispose()
    return out


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def sqlite_pair(tmp: Path) -> Iterator[tuple[str, str]]:
    yield f"sqlite:///{tmp / 'live.sqlite3'}", f"sqlite:///{tmp / 'restored.sqlite3'}"


@contextmanager
def postgres_pair(_tmp: Path) -> Iterator[tuple[str, str]]:
    with (
        postgres_database("smartstore_bk_src") as src,
        postgres_database("smartstore_bk_dst") as dst,
    ):
        yield src, dst


@pytest.mark.parametrize(
    "pair",
    [sqlite_pair, pytest.param(postgres_pair, marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def test_backup_restore_gives_identical_reports(pair: Any, tmp_path: Path) -> None:
    with pair(tmp_path) as (live, fresh):
        fill(live)
        tables = dump_tables(live)
        assert len(tables["sales"]) == 90
        assert len(tables["dead_letters"]) == 1
        archive = tmp_path / "backup.bin"
        output = run_cli("cloud", "backup", str(archive), "--database-url", live)
        assert "backup written" in output
        assert "(100%)" in output
        before = api_snapshot(live)

        output = run_cli("cloud", "restore", str(archive), "--database-url", fresh)
        assert "(100%)" in output
        assert dump_tables(fresh) == tables
        after = api_snapshot(fresh)
        assert after.keys() == before.keys()
        for path in before:
            assert after[path] == before[path], path
        daily = before["/api/v1/reports/sales/daily"]
        assert daily[0] == 200
        assert len(daily[1]) == 5
        assert sum(int(row["sales_count"]) for row in daily[1]) == 90
        assert before["finance.profit"]["revenue"] != "0"

        # the restored database keeps working: a duplicate is still skipped, new rows numbered
        engine: Engine = make_engine(fresh)
        try:
            factory = make_sessionmaker(engine)
            old = envelope("sale", sale_data("S-000"), seq=1, node="kiosk-2")
            new = envelope("sale", sale_data("S-new"), seq=999, node="kiosk-1")
            pipe = Pipeline(factory)
            pipe.process([Inbound(*message(old)), Inbound(*message(new))])
            with factory() as s:
                assert s.scalar(select(text("count(*)")).select_from(Sale)) == 91
        finally:
            engine.dispose()


def test_restore_refuses_a_non_empty_database_and_garbage(tmp_path: Path) -> None:
    live = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    fill(live)
    archive = tmp_path / "b.sqlite3"
    run_cli("cloud", "backup", str(archive), "--database-url", live)
    result = CliRunner().invoke(
        build_app(), ["cloud", "restore", str(archive), "--database-url", live]
    )
    assert result.exit_code == 1
    assert "--force" in result.output
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"not a database" * 100)
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = CliRunner().invoke(
        build_app(), ["cloud", "restore", str(garbage), "--database-url", fresh]
    )
    assert result.exit_code == 1
    assert "not a SQLite database" in result.output
    missing = CliRunner().invoke(
        build_app(), ["cloud", "restore", str(tmp_path / "nope"), "--database-url", fresh]
    )
    assert missing.exit_code == 1
    assert json.dumps(dump_tables(live)["sales"][:1])  # live database untouched and readable
