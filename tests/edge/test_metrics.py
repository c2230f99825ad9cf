"""A node's /metrics over HTTP shows outbox depth, link state, decode times and lane states."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from edge.config import MetricsSettings, MqttSettings, NodeIdentity, OutboxSettings
from edge.inbound import Rejections
from edge.link import Link
from edge.metrics import MetricsServer, NodeMetrics, node_metrics
from edge.outbox import Outbox
from tests.support.services import MosquittoProcess

ID = NodeIdentity(store="demo", node="shelf-1")
FAULT = {"code": "sensor_stuck", "component": "lane:a1", "severity": "warning"}


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as res:
        assert res.status == 200
        text = res.read().decode()
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@pytest.mark.mosquitto
def test_node_metrics_endpoint_shows_the_figures(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    # no cloud acks here: a long re-send timeout keeps the counts exact on a loaded machine
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=1e6, ack_timeout=60.0)
    outbox = Outbox.open(settings.path, ID.store, ID.node, settings)
    link = Link(
        MqttSettings(url=mosquitto_broker.url, backoff_min=0.05, backoff_max=0.2),
        ID,
        outbox,
        kind="shelf",
        config_version="7-abc",
    )
    rejections = Rejections()
    metrics, server = node_metrics(
        ID, "shelf", MetricsSettings(port=0), outbox=outbox, link=link, rejections=rejections
    )
    outbox.emit_many([("fault", FAULT)] * 5)  # queued before the link is up
    server.start()
    try:
        assert server.port
        before = scrape(server.port)
        assert before[("smartstore_outbox_depth", ())] == 5
        assert before[("smartstore_link_connected", ())] == 0
        assert before[("smartstore_cloud_online", ())] == -1

        link.start()
        wait_for(lambda: link.connected and outbox.stats()["sent"] == 5)
        with metrics.time_decode("zxing"):
            time.sleep(0.003)
        metrics.decode_seconds.labels("pyzbar").observe(0.042)
        metrics.set_lane("a1", "low", 2)
        metrics.set_lane("a1", "out", 0)
        metrics.set_lane("a2", "ok", 11)
        metrics.command_done("tare", ok=True)
        rejections.reject("smartstore/v1/demo/shelf-1/cmd/tare", "garbage")

        after = scrape(server.port)
        assert after[("smartstore_outbox_depth", ())] == 5  # sent, but no cloud acked them
        assert after[("smartstore_outbox_events", (("counter", "sent"),))] == 5
        assert after[("smartstore_outbox_events", (("counter", "acked"),))] == 0
        assert after[("smartstore_link_connected", ())] == 1
        assert after[("smartstore_scan_decode_seconds_count", (("decoder", "zxing"),))] == 1
        assert after[("smartstore_scan_decode_seconds_sum", (("decoder", "zxing"),))] >= 0.003
        assert after[("smartstore_scan_decode_seconds_sum", (("decoder", "pyzbar"),))] == 0.042
        assert after[("smartstore_lane_state", (("lane", "a1"), ("state", "out")))] == 1
        assert after[("smartstore_lane_state", (("lane", "a1"), ("state", "low")))] == 0
        assert after[("smartstore_lane_units", (("lane", "a2"),))] == 11
        assert after[("smartstore_commands_total", (("name", "tare"), ("ok", "true")))] == 1
        assert after[("smartstore_inbound_rejected", ())] == 1
        info = after[
            ("smartstore_node_info", (("kind", "shelf"), ("node", "shelf-1"), ("store", "demo")))
        ]
        assert info == 1
        assert after[("smartstore_config_info", (("version", "7-abc"),))] == 1
    finally:
        link.stop()
        server.stop()
        outbox.close()


def test_metrics_server_404_and_port_in_use_do_not_crash(tmp_path: Path) -> None:
    metrics = NodeMetrics(ID, "shelf")
    first = MetricsServer(metrics, MetricsSettings(port=0))
    first.start()
    try:
        assert first.port
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{first.port}/other", timeout=5)
        assert err.value.code == 404
        clash = MetricsServer(metrics, MetricsSettings(port=first.port))
        clash.start()  # logs an error, the node goes on
        assert clash.port is None
        clash.stop()
        off = MetricsServer(metrics, MetricsSettings(enabled=False))
        off.start()
        assert off.port is None
    finally:
        first.stop()
