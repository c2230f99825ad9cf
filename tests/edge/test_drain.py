"""The drain thread's order: rows emitted after a connection came up go ahead of its backlog."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.enums import MQTTErrorCode

from edge.config import OutboxSettings
from edge.drain import Drainer
from edge.outbox import Outbox
from tests.integration.edge_consumer import wait_for


class _Info:
    def __init__(self, mid: int) -> None:
        self.rc = MQTTErrorCode.MQTT_ERR_SUCCESS
        self.mid = mid


class RecordingClient:
    """Stands in for a connected paho client: keeps what was published, never acknowledges."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> _Info:
        self.published.append(json.loads(payload))
        self.arrived.set()
        return _Info(len(self.published))


def fault(n: int) -> dict[str, str]:
    return {"code": "test", "component": "drain", "message": f"event {n}"}


@pytest.fixture
def drain(tmp_path: Path) -> Iterator[tuple[Outbox, Drainer, RecordingClient]]:
    """An empty outbox, its drainer not started (5 rows/s replay, 4 in flight), a client."""
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=5.0, inflight=4)
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    drainer = Drainer(outbox, settings)
    try:
        yield outbox, drainer, RecordingClient()
    finally:
        drainer.stop()
        outbox.close()


def test_a_row_emitted_once_the_link_is_up_is_live_even_before_the_drain_thread_wakes(
    drain: tuple[Outbox, Drainer, RecordingClient],
) -> None:
    # The link reports the connection, the caller emits at once, and only then does the
    # drain thread run: that row is live (sent first, not flagged), not the backlog's last.
    outbox, drainer, client = drain
    outbox.emit_many([("fault", fault(n)) for n in range(20)])
    drainer.connected(client)  # type: ignore[arg-type]
    live = outbox.emit("fault", fault(99))
    drainer.start()
    assert client.arrived.wait(5), "nothing published"
    wait_for(lambda: len(client.published) == 4, 5, "the in-flight window filled")
    first = client.published[0]
    assert first["seq"] == live.seq == 21
    assert not first.get("historical")
    assert all(p.get("historical") for p in client.published[1:])


def test_a_reconnect_on_the_same_client_starts_a_new_backlog(
    drain: tuple[Outbox, Drainer, RecordingClient],
) -> None:
    # paho reconnects with the same Client object; if the drain thread sleeps through the
    # drop and the reconnect, the second connection must still be a new one (backlog again).
    outbox, drainer, client = drain
    outbox.emit_many([("fault", fault(n)) for n in range(3)])
    drainer.connected(client)  # type: ignore[arg-type]
    drainer.start()
    wait_for(lambda: len(client.published) == 3, 5, "the backlog sent")
    drainer.disconnected()
    drainer.connected(client)  # type: ignore[arg-type]
    wait_for(lambda: len(client.published) == 4, 5, "the backlog sent again")
    # never acknowledged, the in-flight window still had room: the rows go again
    # (the first unacked one re-sent as backlog of the new connection, flagged historical)
    assert client.published[3]["seq"] == 1
    assert client.published[3]["historical"] is True
