"""A paho subscriber collecting what reaches the broker (the cloud's view, for tests)."""

from __future__ import annotations

import json
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class Probe:
    def __init__(self, host: str, port: int, topic: str) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="probe")
        self.client.on_connect = lambda c, u, f, rc, p: (c.subscribe(topic, qos=1), None)[1]
        self.client.on_subscribe = lambda *a: self._ready.set()
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.loop_start()
        if not self._ready.wait(10):
            raise AssertionError("probe did not subscribe")

    def _on_message(self, client: Any, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, json.loads(msg.payload)))

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for t, m in self.messages if t.endswith(f"/evt/{event_type}")]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
