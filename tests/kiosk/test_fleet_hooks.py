"""The kiosk's fleet hooks on a running node: ``/metrics`` (outbox depth, link state, camera
decode times from the real pipeline on rendered frames) and remote config pushed from the
cloud's ConfigStore through a real Mosquitto: applied live, reported in the retained state,
refused when invalid, rolled back when it cannot run."""

from __future__ import annotations

import json
import random
import re
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from cloud.fleet.commands import CommandDispatcher, CommandStatus
from cloud.fleet.configs import ConfigStore, push_config
from cloud.settings import CloudSettings
from contracts.messages import FaultData
from contracts.topics import state_topic
from edge.runtime import Runtime
from kiosk.config import KioskConfig
from kiosk.scanner.testing import Label, background, render_frame, write_video
from kiosk.service import KioskNode, build_node
from tests.kiosk.books import MILK
from tests.kiosk.mqtt_probe import Probe
from tests.kiosk.node import kiosk_config, wait_for
from tests.support.services import MosquittoProcess


def scrape(node: KioskNode) -> str:
    port = node.fleet.server.port
    assert port is not None, "metrics server not started"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as res:
        body: bytes = res.read()
    return body.decode()


def sample(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample line, e.g. ``sample(t, "smartstore_outbox_depth")``."""
    pattern = (
        "^" + re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)$"
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else None


def milk_video(path: Path) -> None:
    rng = random.Random(3)
    scene = background(rng)
    frames: list[np.ndarray] = [scene.copy() for _ in range(5)]  # type: ignore[type-arg]
    label = Label("ean13", MILK[1:], MILK)
    frames += [
        render_frame(label, "clean", rng, scene=scene.copy(), centre=(640, 360)) for _ in range(12)
    ]
    frames += [scene.copy() for _ in range(5)]
    write_video(str(path), frames, fps=15)


def test_metrics_show_outbox_depth_link_state_and_camera_decode_times(tmp_path: Path) -> None:
    video = tmp_path / "milk.avi"
    milk_video(video)
    cfg = kiosk_config(
        tmp_path,  # broker URL on port 1: nothing drains, so the outbox depth is what we emit
        scanner={"type": "camera", "source": str(video), "realtime": True, "confirm_frames": 2},
        metrics={"port": 0},
    )
    node = build_node(cfg)
    runtime = Runtime(node.services)
    runtime.start_all()
    try:
        wait_for(
            lambda: len(node.parts.session.co.cart.lines) == 1, timeout=30, what="milk scanned"
        )
        for code in ("printer_paper_out", "scale_offline"):
            node.outbox.emit("fault", FaultData(code=code, component="test", active=True))
        text = scrape(node)
    finally:
        runtime.stop_all()
    assert sample(text, "smartstore_outbox_depth") == node.outbox.depth() >= 2
    assert sample(text, "smartstore_outbox_events", 'counter="appended"') == pytest.approx(
        node.outbox.stats()["appended"]
    )
    assert sample(text, "smartstore_link_connected") == 0.0
    frames = sample(text, "smartstore_scan_decode_seconds_count", 'decoder="camera"')
    assert frames is not None
    assert frames >= 2
    total = sample(text, "smartstore_scan_decode_seconds_sum", 'decoder="camera"')
    assert total is not None
    assert 0 < total < frames
    assert 'smartstore_node_info{kind="kiosk",node="kiosk-1",store="demo"} 1.0' in text


def write_config(path: Path, cfg: KioskConfig) -> dict[str, Any]:
    data: dict[str, Any] = cfg.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


def retained_state(probe: Probe) -> dict[str, Any] | None:
    states = [m for t, m in probe.messages if t == state_topic("demo", "kiosk-1")]
    return states[-1] if states else None


@pytest.mark.mosquitto
def test_config_push_applies_reports_refuses_and_rolls_back(
    tmp_path: Path, mosquitto_broker: MosquittoProcess
) -> None:
    cfg = kiosk_config(tmp_path, mosquitto_broker.url, metrics={"port": 0})
    path = tmp_path / "kiosk.yaml"
    base = write_config(path, cfg)
    node = build_node(cfg, config_path=path)
    runtime = Runtime(node.services)
    runtime.start_all()
    configs = ConfigStore(tmp_path / "fleet")
    dispatcher, address = CommandDispatcher.from_settings(
        CloudSettings(mqtt_url=mosquitto_broker.url)
    )
    probe = Probe(mosquitto_broker.host, mosquitto_broker.port, state_topic("demo", "kiosk-1"))
    try:
        wait_for(lambda: node.link.connected, what="kiosk connected")
        dispatcher.start(address.host, address.port)

        # 1. a good config: checkout rules apply now, the scale's noise waits for a restart
        good = json.loads(json.dumps(base))
        good["checkout"] = {**good["checkout"], "max_failures": 5, "store_name": "Corner"}
        good["scale"]["noise_g"] = 0.5
        v1 = configs.save("demo", "kiosk-1", good)
        done = push_config(dispatcher, configs, "demo", "kiosk-1", timeout_s=15)
        assert done.status is CommandStatus.OK, done.result
        assert done.result is not None
        assert done.result.result["version"] == v1
        assert node.parts.session.co.settings.max_failures == 5
        assert node.parts.session.screen.store_name == "Corner"
        assert yaml.safe_load(path.read_text())["checkout"]["store_name"] == "Corner"
        wait_for(
            lambda: (retained_state(probe) or {}).get("config_version") == v1,
            what="config version in the retained state",
        )
        assert retained_state(probe)["restart_pending"] == ["scale"]  # type: ignore[index]
        assert f'smartstore_config_info{{version="{v1}"}} 1.0' in scrape(node)

        # 2. invalid: refused by the node's own model, nothing written or applied
        on_disk = path.read_text()
        bad = {**good, "checkout": {**good["checkout"], "max_failures": 0}, "bogus": 1}
        v2 = configs.save("demo", "kiosk-1", bad)
        done = push_config(dispatcher, configs, "demo", "kiosk-1", timeout_s=15)
        assert done.status is CommandStatus.FAILED
        assert done.result is not None
        assert "config refused" in (done.result.error or "")
        assert "bogus" in (done.result.error or "")
        assert path.read_text() == on_disk
        assert node.fleet.remote.version == v1

        # 3. valid but cannot run (its seed price book does not exist): rolled back
        broken = {**good, "pricebook": {"seed_path": str(tmp_path / "missing.sspb")}}
        broken["checkout"] = {**good["checkout"], "max_failures": 9}
        v3 = configs.save("demo", "kiosk-1", broken)
        done = push_config(dispatcher, configs, "demo", "kiosk-1", version=v3, timeout_s=15)
        assert done.status is CommandStatus.FAILED
        assert "rolled back" in (done.result.error or "")  # type: ignore[union-attr]
        assert path.read_text() == on_disk
        assert node.parts.session.co.settings.max_failures == 5
        assert node.fleet.remote.version == v1
        assert (retained_state(probe) or {}).get("config_version") == v1
        assert v2 != v3
    finally:
        dispatcher.stop()
        probe.close()
        runtime.stop_all()

    # a restart reads the applied file and reports the same version
    again = build_node(
        KioskConfig.model_validate(yaml.safe_load(path.read_text())), config_path=path
    )
    assert again.link.config_version == v1
    assert again.parts.session.co.settings.max_failures == 5
    again.outbox.close()
