"""Remote configuration on the node: validate, apply, roll back, report the version."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.messages import Command
from edge.config import NodeConfig, load_config
from edge.exceptions import RemoteConfigError
from edge.inbound import CommandRouter
from edge.remote_config import RemoteConfig

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IDENT = {"store": "demo", "node": "kiosk-1"}


def cfg(**extra: Any) -> dict[str, Any]:
    return {"identity": dict(IDENT), "outbox": {"path": "var/k1.sqlite3"}, **extra}


def push(version: Any, config: Any) -> Command:
    return Command(
        command_id="c1", name="config", args={"version": version, "config": config}, issued_at=T0
    )


class Node:
    """Records applied configs; ``fail_on`` makes applying a given log level raise."""

    def __init__(self, tmp: Path, fail_on: str | None = None) -> None:
        self.path = tmp / "kiosk.yaml"
        self.path.write_text(yaml.safe_dump(cfg()))
        self.applied: list[str] = []
        self.versions: list[str | None] = []
        self.fail_on = fail_on
        current = load_config(NodeConfig, self.path, environ={})
        self.remote = RemoteConfig(
            self.path, NodeConfig, current, self.apply, on_version=self.versions.append
        )

    def apply(self, config: NodeConfig) -> None:
        if config.log_level == self.fail_on:
            raise RuntimeError("camera would not restart")
        self.applied.append(config.log_level)


def test_valid_config_is_written_applied_and_versioned(tmp_path: Path) -> None:
    node = Node(tmp_path)
    out = node.remote.handle_push(push("2-abc", cfg(log_level="DEBUG")))
    assert out == {"version": "2-abc", "previous": None, "changed": True}
    assert node.applied == ["DEBUG"]
    assert node.versions == ["2-abc"]
    assert yaml.safe_load(node.path.read_text())["log_level"] == "DEBUG"
    # the same version again is a no-op; the version survives a restart
    assert node.remote.handle_push(push("2-abc", cfg(log_level="DEBUG")))["changed"] is False
    reopened = RemoteConfig(node.path, NodeConfig, load_config(NodeConfig, node.path), print)
    assert reopened.version == "2-abc"
    assert reopened.current.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("version", "config", "reason"),
    [
        ("3-x", cfg(log_level="LOUD"), "log_level"),
        ("3-x", cfg(unknown_key=1), "unknown_key"),
        ("3-x", {**cfg(), "identity": {"store": "demo", "node": "kiosk-2"}}, "not demo/kiosk-1"),
        ("3-x", ["not", "a", "mapping"], "mapping"),
        (None, cfg(), "version"),
        ("../../etc/passwd", cfg(), "version"),
    ],
)
def test_invalid_config_is_refused_before_anything_changes(
    tmp_path: Path, version: Any, config: Any, reason: str
) -> None:
    node = Node(tmp_path)
    before = node.path.read_text()
    with pytest.raises(RemoteConfigError, match=re.escape(reason)):
        node.remote.handle_push(push(version, config))
    assert node.path.read_text() == before
    assert node.applied == []
    assert node.remote.version is None


def test_failed_apply_rolls_back_file_and_running_config(tmp_path: Path) -> None:
    node = Node(tmp_path, fail_on="ERROR")
    node.remote.handle_push(push("2-a", cfg(log_level="WARNING")))
    with pytest.raises(RemoteConfigError, match="rolled back"):
        node.remote.handle_push(push("3-b", cfg(log_level="ERROR")))
    assert yaml.safe_load(node.path.read_text())["log_level"] == "WARNING"
    assert node.applied == ["WARNING", "WARNING"]  # the previous config applied again
    assert node.remote.version == "2-a"
    assert node.remote.current.log_level == "WARNING"


def test_unhealthy_after_apply_rolls_back(tmp_path: Path) -> None:
    node = Node(tmp_path)
    node.remote._healthy = lambda c: c.log_level != "ERROR"
    with pytest.raises(RemoteConfigError, match="health check"):
        node.remote.handle_push(push("2-a", cfg(log_level="ERROR")))
    assert yaml.safe_load(node.path.read_text()).get("log_level") is None
    assert node.remote.version is None


def test_commands_through_the_router_answer_ok_false_with_the_reason(tmp_path: Path) -> None:
    node = Node(tmp_path)
    sent: list[tuple[str, bytes]] = []
    router = CommandRouter(
        NodeConfig.model_validate(cfg()).identity, lambda t, p: sent.append((t, p)) is None
    )
    node.remote.register(router)
    router(
        "smartstore/v1/demo/kiosk-1/cmd/config",
        push("2-a", cfg(log_level="BAD")).model_dump_json().encode(),
    )
    router("smartstore/v1/demo/kiosk-1/cmd/config", b"\x00garbage")  # malformed: logged, no crash
    assert len(sent) == 1
    assert sent[0][0] == "smartstore/v1/demo/kiosk-1/cmd/config/res"
    assert b'"ok":false' in sent[0][1]
    assert b"log_level" in sent[0][1]


def test_reload_rereads_the_file_and_rolls_back_a_broken_edit(tmp_path: Path) -> None:
    node = Node(tmp_path, fail_on="ERROR")
    reload = Command(command_id="r", name="reload_config", issued_at=T0)
    node.path.write_text(yaml.safe_dump(cfg(log_level="WARNING")))
    assert node.remote.handle_reload(reload)["reloaded"] is True
    assert node.applied == ["WARNING"]
    node.path.write_text("identity: [broken")
    with pytest.raises(RemoteConfigError, match="refused"):
        node.remote.handle_reload(reload)
    node.path.write_text(yaml.safe_dump(cfg(log_level="ERROR")))
    with pytest.raises(RemoteConfigError, match="rolled back"):
        node.remote.handle_reload(reload)
    assert node.remote.current.log_level == "WARNING"
