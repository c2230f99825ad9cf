"""A test consumer of one node's events and state, standing in for the cloud ingest.

Like the cloud (SPEC §4) it acks, on the node's ``.../ack``, the highest seq below which it
has received every event, and acks again when a copy of an acked event arrives, so the
node's outbox empties; ``acks=False`` plays a cloud that never acks.
"""

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

from contracts.codec import decode_event, decode_model, encode
from contracts.messages import Ack, NodeState
from contracts.state import apply_state
from contracts.topics import ack_topic, events_filter, state_topic


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
    acks: bool = True
    floor: int = 0
    arrivals: list[tuple[int, bool]] = field(default_factory=list)
    states: list[NodeState] = field(default_factory=list)
    state: NodeState | None = None
    subscribed: threading.Event = field(default_factory=threading.Event)
    _seen: set[int] = field(default_factory=set)
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
        env = event.envelope
        with self._lock:
            self.arrivals.append((env.seq, env.historical))
            self._seen.add(env.seq)
            while self.floor + 1 in self._seen:
                self.floor += 1
            floor = self.floor
        if self.acks and floor >= 1 and (env.seq <= floor):
            ack = encode(Ack(boot=env.boot, seq=floor))
            client.publish(ack_topic(self.store, self.node), ack, qos=1)

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
