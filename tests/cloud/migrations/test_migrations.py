"""Migrations: up from empty, down to nothing, up again; the result matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from typer.testing import CliRunner

from cloud.db.migrate import alembic_config, current_revision, downgrade, upgrade
from cloud.db.models import load_models
from cloud.db.session import make_engine
from smartstore.cli import build_app


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, load_models()))
    finally:
        engine.dispose()


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_matches_models(db_url: str) -> None:
    upgrade(db_url, "head")
    assert _tables(db_url) == set(load_models().tables)
    assert _diff(db_url) == []
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url, "head")
    assert _diff(db_url) == []
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == _script().get_current_head()
    finally:
        engine.dispose()


def test_migrate_command(db_url: str) -> None:
    runner = CliRunner()
    app = build_app()
    result = runner.invoke(app, ["cloud", "migrate", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "head" in result.output
    result = runner.invoke(app, ["cloud", "migrate", "--database-url", db_url, "--revision", "-1"])
    assert result.exit_code == 0, result.output
    head = _script().get_revision(_script().get_current_head())
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head.down_revision
    finally:
        engine.dispose()
    result = runner.invoke(
        app, ["cloud", "migrate", "--database-url", db_url, "--revision", "base"]
    )
    assert result.exit_code == 0, result.output
    assert _tables(db_url) == set()
