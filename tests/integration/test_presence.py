"""Presence: an idle node stays online through a quiet period longer than the cloud's
inactivity timeout because it refreshes its retained state every ``heartbeat_s``; it goes
offline when its process is killed (the broker publishes its last will).

Real parts: Mosquitto, the ingest worker on SQLite, the node's link in its own process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.alerts.models import Alert
from cloud.devices.models import Device
from cloud.ingest.worker import IngestWorker
from cloud.settings import CloudSettings
from tests.integration.edge_consumer import wait_for
from tests.integration.test_default_pairs import cloud_db
from tests.support.services import MosquittoProcess

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 2.0
IDLE_S = 3 * TIMEOUT_S


@pytest.mark.mosquitto
def test_idle_node_stays_online_and_goes_offline_when_killed(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    url, factory = cloud_db(tmp_path)
    settings = CloudSettings(
        database_url=url, mqtt_url=mosquitto_broker.url, device_timeout_s=TIMEOUT_S
    )
    worker = IngestWorker(settings, factory, batch_size=16)
    worker.start()

    def device() -> Device:
        with factory() as s:
            return s.scalars(select(Device).where(Device.node == "kiosk-1")).one()

    node = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.edge_publisher",
            "--db",
            str(tmp_path / "n.db"),
            "--url",
            mosquitto_broker.url,
            "--heartbeat",
            "0.5",
            "--linger",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert worker.wait_connected(10)
        wait_for(lambda: device().online, 20, "node online")
        # idle: no events at all, for three inactivity timeouts (the sweep runs every second)
        end = time.monotonic() + IDLE_S
        while time.monotonic() < end:
            assert device().online, "an idle node with heartbeats was marked offline"
            time.sleep(0.25)
        node.kill()  # no clean disconnect: only the will says offline
        node.wait(10)
        wait_for(lambda: not device().online, 10, "offline after the kill")
    finally:
        if node.poll() is None:
            node.kill()
            node.wait(10)
        worker.stop()
    with factory() as s:
        alerts = s.scalars(select(Alert).where(Alert.type == "device_offline")).all()
    assert len(alerts) == 1  # opened once, by the kill, never by the idle period
    assert "state message" in alerts[0].message  # the last will, not the inactivity sweep
