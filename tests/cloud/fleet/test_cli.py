"""``smartstore device …`` end to end: provision, list, revoke, broker files, a command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloud.fleet.credentials import verify_password
from smartstore.cli import build_app
from tests.support.services import MosquittoProcess


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_provision_list_revoke_write_the_broker_files(tmp_path: Path) -> None:
    fleet = ["--fleet-dir", str(tmp_path)]
    out = run(
        "device",
        "provision",
        "--store",
        "demo",
        "--node",
        "kiosk-1",
        *fleet,
        "--broker",
        "mqtts://broker.example:8883",
    )
    lines = dict(
        ln.split(":", 1) for ln in out.splitlines() if ln.startswith(("username", "password"))
    )
    password = lines["password"].strip()
    assert "SMARTSTORE_MQTT_URL=mqtts://demo%2Fkiosk-1:" in out
    passwd = (tmp_path / "passwd").read_text()
    user, hashed = passwd.strip().split(":", 1)
    assert user == "demo/kiosk-1"
    assert verify_password(password, hashed)
    assert "user demo/kiosk-1" in (tmp_path / "acl").read_text()
    # provisioning twice needs --rotate; a bad id is refused
    run("device", "provision", "--store", "demo", "--node", "kiosk-1", *fleet, code=1)
    run("device", "provision", "--store", "demo", "--node", "kiosk-1", "--rotate", *fleet)
    run("device", "provision", "--store", "demo", "--node", "Kiosk 1", *fleet, code=1)
    records = [json.loads(ln) for ln in run("device", "list", *fleet).splitlines()]
    assert [(r["store"], r["node"], r["revoked_at"]) for r in records] == [
        ("demo", "kiosk-1", None)
    ]
    assert "password_hash" not in records[0]
    run("device", "revoke", "--store", "demo", "--node", "kiosk-1", *fleet)
    assert (tmp_path / "passwd").read_text() == ""
    assert "demo/kiosk-1" not in (tmp_path / "acl").read_text()
    run("device", "revoke", "--store", "demo", "--node", "kiosk-1", *fleet, code=1)


def test_corrupt_registry_is_reported_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "fleet.json").write_text("{not json")
    run(
        "device",
        "provision",
        "--store",
        "demo",
        "--node",
        "kiosk-1",
        "--fleet-dir",
        str(tmp_path),
        code=1,
    )
    assert (tmp_path / "fleet.json").read_text() == "{not json"


@pytest.mark.mosquitto
def test_command_times_out_when_no_node_answers(mosquitto_broker: MosquittoProcess) -> None:
    out = run(
        "device",
        "command",
        "lock",
        "--store",
        "demo",
        "--node",
        "kiosk-1",
        "--timeout",
        "0.3",
        "--mqtt-url",
        mosquitto_broker.url,
        code=1,
    )
    assert json.loads(out.splitlines()[-1]) == {"status": "timeout", "result": None}
