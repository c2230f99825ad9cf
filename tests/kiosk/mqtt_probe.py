"""Paho clients playing the cloud in tests: a subscriber collecting what reaches the broker,
and a command sender collecting the results."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from contracts.codec import decode_model, encode
from contracts.messages import Command, CommandResult
from contracts.topics import command_result_topic, command_results_filter, command_topic
from tests.kiosk.node import wait_for


class Probe:
    """Subscribes ``topic`` at QoS 1 and keeps every message.

    ``persistent=True`` opens a non-clean MQTT 3.1.1 session under a fixed client id and lets
    paho reconnect on its own: with broker persistence on, the broker keeps the subscription
    and queues QoS 1 messages for it while the probe (or the broker) is away.
    """

    def __init__(
        self, host: str, port: int, topic: str, *, persistent: bool = False, client_id: str = ""
    ) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.raw: list[tuple[str, bytes]] = []
        self.connects = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"probe-{uuid.uuid4().hex[:8]}",
            protocol=MQTTProtocolVersion.MQTTv311,
            clean_session=not persistent,
        )
        if persistent:
            self.client.reconnect_delay_set(0.1, 0.5)  # type: ignore[arg-type]
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *a: self._ready.set()
        self.client.on_message = self._on_message
        self._topic = topic
        self.client.connect(host, port)
        self.client.loop_start()
        if not self._ready.wait(10):
            raise AssertionError("probe did not subscribe")

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, rc: Any, p: Any) -> None:
        with self._lock:
            self.connects += 1
        client.subscribe(self._topic, qos=1)

    def _on_message(self, client: Any, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.raw.append((msg.topic, msg.payload))
            try:
                self.messages.append((msg.topic, json.loads(msg.payload)))
            except ValueError:
                self.messages.append((msg.topic, {"_undecodable": msg.payload.hex()}))

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for t, m in self.messages if t.endswith(f"/evt/{event_type}")]

    def wait_count(self, event_type: str, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least ``n`` events of ``event_type`` arrived; return them all."""
        wait_for(
            lambda: len(self.of_type(event_type)) >= n, timeout, what=f"{n} {event_type} events"
        )
        return self.of_type(event_type)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class CloudCommands:
    """Sends :class:`Command` messages to one node and waits for their :class:`CommandResult`."""

    def __init__(self, host: str, port: int, store: str, node: str) -> None:
        self.store, self.node = store, node
        self.results: dict[str, CommandResult] = {}
        self.undecodable: list[bytes] = []
        self._lock = threading.Lock()
        self.probe = Probe(host, port, command_results_filter(store, node))
        self.probe.client.on_message = self._on_message

    def _on_message(self, client: Any, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            result = decode_model(CommandResult, msg.payload)
        except Exception:
            with self._lock:
                self.undecodable.append(msg.payload)
            return
        with self._lock:
            self.results[result.command_id] = result

    def send(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        expires_at: datetime | None = None,
        issued_by: str = "manager",
    ) -> str:
        command = Command(
            command_id=uuid.uuid4().hex,
            name=name,
            args=args or {},
            issued_at=datetime.now(UTC),
            expires_at=expires_at,
            issued_by=issued_by,
        )
        self.send_raw(name, encode(command))
        return command.command_id

    def send_raw(self, name: str, payload: bytes) -> None:
        self.publish(command_topic(self.store, self.node, name), payload)

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """QoS 1, waiting for the broker's PUBACK (e.g. the retained price book)."""
        info = self.probe.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(5)

    def call(self, name: str, args: dict[str, Any] | None = None, **kw: Any) -> CommandResult:
        """Send and wait for the result (the node answers on ``.../cmd/{name}/res``)."""
        command_id = self.send(name, args, **kw)
        return self.result(command_id, name)

    def result(self, command_id: str, name: str = "command") -> CommandResult:
        def got() -> CommandResult | None:
            with self._lock:
                return self.results.get(command_id)

        result: CommandResult = wait_for(got, what=f"result of {name}")
        return result

    def result_topic(self, name: str) -> str:
        return command_result_topic(self.store, self.node, name)

    def close(self) -> None:
        self.probe.close()
