"""Retained QoS 1 publishing of price books over MQTT (paho v2)."""

from __future__ import annotations

import logging
from typing import Any

from cloud.exceptions import CloudError
from cloud.mqtt import make_client
from cloud.settings import CloudSettings

log = logging.getLogger(__name__)


class MqttRetainedSink:
    """Owns one connected client; ``publish_retained`` blocks until the broker has it."""

    def __init__(self, client: Any, timeout_s: float = 30.0) -> None:
        self._client = client
        self._timeout_s = timeout_s

    @classmethod
    def connect(cls, settings: CloudSettings) -> MqttRetainedSink:
        client, address, _ = make_client(settings, role="pricebook")
        client.connect(address.host, address.port, keepalive=30)
        client.loop_start()
        return cls(client)

    def publish_retained(self, topic: str, payload: bytes) -> None:
        info = self._client.publish(topic, payload, qos=1, retain=True)
        info.wait_for_publish(self._timeout_s)
        if not info.is_published():
            raise CloudError(f"price book on {topic} not acknowledged by the broker")

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
