"""A running shelf node (simulated load cells on accelerated time): ``/metrics`` shows every
lane's state as the pipeline sees it, and remote config applies a planogram live or rolls
back one that names a lane no load cell reads."""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from contracts.codec import decode_model, encode
from contracts.messages import Command, CommandResult
from contracts.topics import command_topic
from edge.config import load_config
from edge.runtime import Runtime
from shelf_sensors.config import ShelfConfig
from shelf_sensors.node import ShelfNode, build_shelf_node

LANES = [
    {"lane": "a1", "sku": "chips", "unit_weight_g": 78.0, "capacity": 10, "low_stock_at": 2},
    {"lane": "a2", "sku": "cola", "unit_weight_g": 355.0, "capacity": 12, "low_stock_at": 3},
]


def shelf_config(tmp: Path) -> dict[str, Any]:
    return {
        "identity": {"store": "demo", "node": "shelf-1"},
        "mqtt": {"url": "mqtt://127.0.0.1:1", "backoff_min": 0.1, "backoff_max": 0.5},
        "outbox": {"path": str(tmp / "shelf.sqlite3")},
        "metrics": {"port": 0},
        "lanes": LANES,
        "loadcell": {"type": "fake", "seed": 5, "speed": 40.0, "mean_gap_s": 4.0, "start_count": 3},
    }


def wait_for(check: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def scrape(node: ShelfNode) -> str:
    with urllib.request.urlopen(
        f"http://127.0.0.1:{node.fleet.server.port}/metrics", timeout=5
    ) as res:
        body: bytes = res.read()
    return body.decode()


def lane_states(text: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    pattern = r'^smartstore_lane_state\{lane="([^"]+)",state="([^"]+)"\} (\S+)$'
    for lane, state, value in re.findall(pattern, text, re.MULTILINE):
        out.setdefault(lane, {})[state] = float(value)
    return out


def units(text: str) -> dict[str, float]:
    pattern = r'^smartstore_lane_units\{lane="([^"]+)"\} (\S+)$'
    return {lane: float(v) for lane, v in re.findall(pattern, text, re.MULTILINE)}


def test_metrics_show_each_lane_state_as_the_pipeline_sees_it(tmp_path: Path) -> None:
    cfg = load_config(ShelfConfig, None, overrides=shelf_config(tmp_path))
    node = build_shelf_node(cfg)
    runtime = Runtime(node.services)
    runtime.start_all()
    try:
        wait_for(lambda: len(lane_states(scrape(node))) == 2, what="both lanes in /metrics")
        with node.service._lock:  # a consistent view: the reader thread holds it per batch
            text = scrape(node)
            truth = {
                lane: (p.alerts.state, p.count or 0) for lane, p in node.service.pipelines.items()
            }
    finally:
        runtime.stop_all()
        node.close()
    states = lane_states(text)
    for lane, (state, count) in truth.items():
        assert states[lane] == {s: (1.0 if s == state else 0.0) for s in ("ok", "low", "out")}
        assert units(text)[lane] == count
    assert re.search(r"^smartstore_outbox_depth (\S+)$", text, re.MULTILINE)


def send(node: ShelfNode, name: str, args: dict[str, Any]) -> CommandResult:
    """Deliver a command as the link would and capture the node's answer."""
    replies: list[bytes] = []

    def publish(_topic: str, payload: bytes) -> bool:
        replies.append(payload)
        return True

    node.router.publish = publish
    now = datetime.now(UTC)
    cmd = Command(
        command_id=uuid.uuid4().hex,
        name=name,
        args=args,
        issued_at=now,
        expires_at=now + timedelta(seconds=30),
    )
    node.router(command_topic("demo", "shelf-1", name), encode(cmd))
    assert len(replies) == 1
    return decode_model(CommandResult, replies[0])


def test_remote_planogram_applies_live_and_an_unreadable_lane_rolls_back(tmp_path: Path) -> None:
    raw = shelf_config(tmp_path)
    path = tmp_path / "shelf.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    node = build_shelf_node(load_config(ShelfConfig, path), config_path=path)
    try:
        renamed = {**raw, "lanes": [{**LANES[0], "sku": "crisps"}, LANES[1]], "log_level": "DEBUG"}
        res = send(node, "config", {"version": "1-aaaa", "config": renamed})
        assert res.ok, res.error
        assert node.service.specs["a1"].sku == "crisps"
        assert node.fleet.remote is not None
        assert node.fleet.remote.version == "1-aaaa"
        assert node.link.config_version == "1-aaaa"
        assert (
            'smartstore_config_info{version="1-aaaa"} 1.0' in node.fleet.metrics.render().decode()
        )
        applied = path.read_text()

        extra_lane = {"lane": "b9", "sku": "soap", "unit_weight_g": 120.0, "capacity": 6}
        res = send(
            node,
            "config",
            {"version": "2-bbbb", "config": {**renamed, "lanes": [*renamed["lanes"], extra_lane]}},
        )
        assert not res.ok
        assert "b9" in (res.error or "")
        assert "rolled back" in (res.error or "")
        assert path.read_text() == applied
        assert sorted(node.service.specs) == ["a1", "a2"]
        assert node.service.specs["a1"].sku == "crisps"
        assert node.fleet.remote.version == "1-aaaa"

        for junk in ({"version": "../x", "config": renamed}, {"version": "3-c"}, {}):
            res = send(node, "config", junk)
            assert not res.ok
            assert res.error
        assert node.fleet.remote.version == "1-aaaa"
    finally:
        node.close()
