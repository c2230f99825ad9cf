"""A test consumer of one node's events and state, standing in for the cloud ingest."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contracts.messages import NodeState, decode_event, decode_model
from contracts.state import apply_state
from contracts.topics import events_filter, state_topic


@dataclass
class Consumer:
    """Collects ``(seq, historical)`` in arrival order and applies the state rule.

    ``persistent=True`` uses an MQTT 5 session that outlives disconnects (and a broker
    restart when the broker persists), like a production ingest would.
    """

    host: str
    port: int
    store: str = "demo"
    node: str = "kiosk-1"
    persistent: bool = False
    arrivals: list[tuple[int, bool]] = field(default_factory=list)
    states: list[NodeState] = field(default_factory=list)
    state: NodeState | None = None
    subscribed: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client: mqtt.Client | None = None

    def start(self) -> Consumer:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-consumer-{uuid.uuid4().hex[:8]}",
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        client.reconnect_delay_set(0.05, 0.2)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        props = Properties(PacketTypes.CONNECT)
        if self.persistent:
            props.SessionExpiryInterval = 3600
        client.connect(self.host, self.port, clean_start=not self.persistent, properties=props)
        client.loop_start()
        self._client = client
        if not self.subscribed.wait(10):
            raise TimeoutError("consumer did not subscribe")
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()

    def _on_connect(self, client: mqtt.Client, *args: object) -> None:
        client.subscribe(
            [(events_filter(self.store, self.node), 1), (state_topic(self.store, self.node), 1)]
        )
        self.subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        if msg.topic.endswith("/state"):
            if not msg.payload:
                return
            incoming = decode_model(NodeState, bytes(msg.payload))
            with self._lock:
                self.states.append(incoming)
                self.state = apply_state(self.state, incoming)
            return
        event = decode_event(msg.topic, bytes(msg.payload))
        with self._lock:
            self.arrivals.append((event.envelope.seq, event.envelope.historical))

    def seqs(self) -> set[int]:
        with self._lock:
            return {seq for seq, _ in self.arrivals}

    def max_seq(self) -> int:
        with self._lock:
            return max((seq for seq, _ in self.arrivals), default=0)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str = "condition") -> None:
    """Poll ``predicate`` every 10 ms; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)
