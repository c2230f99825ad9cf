"""``smartstore update …`` end to end on SQLite: keygen, build, publish, ring, rollout, status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from smartstore.cli import build_app
from tests.cloud.factories import setup_store
from tests.support.bundles import node_source, rewrite_bundle, tiny_wheel


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cloud.sqlite3'}"
    engine = make_engine(url)
    load_models().create_all(engine)
    with transaction(make_sessionmaker(engine)) as s:
        setup_store(s)
    engine.dispose()
    monkeypatch.setenv("SMARTSTORE_UPDATES_DIR", str(tmp_path / "updates"))
    return url


def test_build_publish_and_roll_out_from_the_command_line(tmp_path: Path, db: str) -> None:
    out = run("update", "keygen", "--dir", str(tmp_path / "keys"))
    public = out.split("public key:")[1].strip()
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates" / "signing.pub").write_text(public + "\n")
    tiny_wheel(tmp_path / "wheels")
    bundle = tmp_path / "b.tar"
    out = run(
        "update",
        "build",
        "--version",
        "1.1.0",
        "--key",
        str(tmp_path / "keys" / "signing.key"),
        "--out",
        str(bundle),
        "--source",
        str(node_source(tmp_path / "src", "1.1.0")),
        "--wheelhouse",
        str(tmp_path / "wheels"),
    )
    assert "1.1.0, 7 files, 1 wheels" in out
    tampered = rewrite_bundle(bundle, tmp_path / "t.tar", {"app/edge/__init__.py": b"x = 1\n"})
    assert run("update", "publish", str(bundle), "--database-url", db).startswith("published 1.1.0")
    assert (tmp_path / "updates" / "bundles" / "1.1.0.tar").read_bytes() == bundle.read_bytes()
    result = CliRunner().invoke(
        build_app(), ["update", "publish", str(tampered), "--database-url", db]
    )
    assert result.exit_code == 1
    assert "app/edge/__init__.py: SHA-256 differs from the signed manifest" in result.output
    assert (tmp_path / "updates" / "bundles" / "1.1.0.tar").read_bytes() == bundle.read_bytes()
    run("update", "ring", "canary", "--store", "demo", "--node", "kiosk-1", "--database-url", db)
    out = run("update", "rollout", "--version", "1.1.0", "--ring", "canary", "--database-url", db)
    assert out.strip() == "rollout 1: 1.1.0 to canary at 100%"
    assert run("update", "pause", "1", "--database-url", db).strip() == "rollout 1: paused"
    run("update", "pause", "1", "--database-url", db, code=1)
    run("update", "resume", "1", "--database-url", db)
    line = json.loads(run("update", "status", "--database-url", db).splitlines()[0])
    assert (line["version"], line["status"], line["statuses"]) == (
        "1.1.0",
        "running",
        {"pending": 1},
    )
    run("update", "abort", "1", "--database-url", db)


def test_publish_refuses_a_bundle_of_another_key(tmp_path: Path, db: str) -> None:
    run("update", "keygen", "--dir", str(tmp_path / "ours"))
    other = run("update", "keygen", "--dir", str(tmp_path / "theirs"))
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates" / "signing.pub").write_text(
        (tmp_path / "ours" / "signing.pub").read_text()
    )
    assert "public key" in other
    bundle = tmp_path / "b.tar"
    run(
        "update",
        "build",
        "--version",
        "2.0.0",
        "--key",
        str(tmp_path / "theirs" / "signing.key"),
        "--out",
        str(bundle),
        "--source",
        str(node_source(tmp_path / "src", "2.0.0")),
    )
    result = CliRunner().invoke(
        build_app(), ["update", "publish", str(bundle), "--database-url", db]
    )
    assert result.exit_code == 1
    assert "bad signature" in result.output


def test_provision_hands_the_node_the_update_key(tmp_path: Path) -> None:
    run("update", "keygen", "--dir", str(tmp_path / "keys"))
    public = (tmp_path / "keys" / "signing.pub").read_text().strip()
    out = run(
        "device",
        "provision",
        "--store",
        "demo",
        "--node",
        "kiosk-1",
        "--fleet-dir",
        str(tmp_path / "fleet"),
        "--update-key",
        str(tmp_path / "keys" / "signing.pub"),
    )
    assert f"SMARTSTORE_CFG__UPDATES__PUBLIC_KEY={public}" in out
    run(
        "device",
        "provision",
        "--store",
        "demo",
        "--node",
        "kiosk-2",
        "--fleet-dir",
        str(tmp_path / "fleet"),
        "--update-key",
        str(tmp_path / "keys" / "signing.key"),
        code=1,
    )
