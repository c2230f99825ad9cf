"""The node's MQTT link: connection, retained state and will, inbound routes, outbox drain.

paho-mqtt 2. ``protocol: auto`` tries MQTT 5 and falls back to 3.1.1 when the broker refuses
it (decision 0004). The retained state is refreshed every ``heartbeat_s`` and at once when the
outbox's disk fills or has room again (no disk write needed). One fresh paho client per
connection attempt, clean sessions: the outbox is our durability (decision 0011).
Threads: ``link-conn`` connects and backs off; paho's loop runs the callbacks; ``link-pub``
(:mod:`edge.drain`) drains the outbox. The cloud's end-to-end ack on ``.../ack`` is what lets
the outbox forget an event (SPEC §4).
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contracts.codec import decode_model, encode
from contracts.exceptions import MessageError
from contracts.messages import Ack, CloudState, NodeState
from contracts.topics import CLOUD_STATE_TOPIC, ack_topic, state_topic
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.drain import Drainer
from edge.exceptions import LinkError
from edge.outbox import Outbox

log = logging.getLogger(__name__)

CLOUD_SEEN_KEY = "cloud_seen"
"""Outbox meta flag: this node has seen a cloud state, so it holds until the cloud is online."""

Handler = Callable[[str, bytes], None]
CONNACK_TIMEOUT_S = 5.0
"""``protocol: auto``: a broker that has not answered an MQTT 5 CONNECT by then gets 3.1.1."""


def backoff_delays(low: float, high: float, rng: random.Random | None = None) -> Iterator[float]:
    """Exponential backoff with "equal jitter": each delay in [d/2, d], d doubling up to ``high``;
    jitter spreads a store's nodes out after a broker restart instead of reconnecting in step."""
    rand = rng or random.Random()
    ceiling = low
    while True:
        yield rand.uniform(ceiling / 2, ceiling)
        ceiling = min(high, ceiling * 2)


def _software_version() -> str:
    try:
        return metadata.version("smartstore")
    except metadata.PackageNotFoundError:
        return "unknown"


class Link:
    """A Service: keeps one node connected, publishes its state and drains its outbox."""

    def __init__(
        self,
        mqtt_settings: MqttSettings,
        identity: NodeIdentity,
        outbox: Outbox,
        *,
        kind: str,
        outbox_settings: OutboxSettings | None = None,
        software_version: str | None = None,
        config_version: str | None = None,
        state_extra: Callable[[], dict[str, Any]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = mqtt_settings
        self.identity = identity
        self.outbox = outbox
        self.kind = kind
        self.software_version = software_version or _software_version()
        self.config_version = config_version
        self.state_extra = state_extra
        self.name = f"link:{identity.store}/{identity.node}"
        self.client_id = mqtt_settings.client_id or f"{identity.store}-{identity.node}"
        self.ack_topic = ack_topic(identity.store, identity.node)
        self._rng = rng or random.Random()
        self._routes: list[tuple[str, Handler]] = []
        self._lock = threading.Lock()
        self._client: mqtt.Client | None = None
        self._connected = False
        self._cloud_online: bool | None = None
        # Survives restarts: a node that once had a cloud starts held after a broker crash too
        self._cloud_seen = bool(outbox.meta(CLOUD_SEEN_KEY))
        self._stop = threading.Event()
        self._conn_changed = threading.Event()
        self._state_due = threading.Event()  # publish the state now: storage full, or room
        self._full_seen = False  # a full disk since the last state: published even if room is back
        outbox.on_storage = self._storage_changed
        self._conn_thread: threading.Thread | None = None
        self.drainer = Drainer(outbox, outbox_settings or outbox.settings)
        self.connects = 0
        self.protocol = "3.1.1" if mqtt_settings.protocol == "3.1.1" else "5"
        """The MQTT version of the next connection attempt ("5" until a broker refuses it)."""
        self.heartbeats = 0
        self._answered = False  # this attempt got a CONNACK

    # Public surface ---------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def cloud_online(self) -> bool | None:
        """From the retained ``_cloud/state``; None until the cloud has said anything."""
        return self._cloud_online

    def route(self, topic_filter: str, handler: Handler) -> None:
        """Register an inbound handler before ``start``; subscribed again on every connect."""
        if self._conn_thread is not None:
            raise LinkError("register routes before start()")
        self._routes.append((topic_filter, handler))

    def publish_now(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> bool:
        """Non-durable publish (command results, retained mirrors); False when disconnected."""
        with self._lock:
            client = self._client if self._connected else None
        if client is None:
            return False
        info = client.publish(topic, payload, qos=qos, retain=retain)
        return info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS

    def _storage_changed(self, full: bool) -> None:
        """A "full" is latched until one state has carried it (the publisher coalesces)."""
        self._full_seen = self._full_seen or full
        self._state_due.set()

    def node_state(self, online: bool, storage_full: bool = False) -> NodeState:
        extra = self.state_extra() if self.state_extra is not None else {}
        return NodeState(
            online=online,
            boot=self.outbox.boot,
            kind=self.kind,
            software_version=self.software_version,
            config_version=self.config_version,
            outbox_depth=self.outbox.depth(),
            storage_full=self.outbox.storage_full or storage_full,
            ts=datetime.now(UTC),
            **extra,
        )

    def start(self) -> None:
        if self._conn_thread is not None:
            raise LinkError("link already started")
        self._stop.clear()
        self.drainer.start()
        self._conn_thread = threading.Thread(target=self._run, name="link-conn", daemon=True)
        self._conn_thread.start()

    def stop(self) -> None:
        """Publish ``online: false`` (same boot), then disconnect cleanly so no will is sent."""
        self._stop.set()
        self._conn_changed.set()
        self.drainer.stop()
        if self._conn_thread is not None:
            self._conn_thread.join(timeout=15)
            self._conn_thread = None
        with self._lock:
            client, connected = self._client, self._connected
            self._connected = False
            self._client = None
        if client is None:
            return
        if connected:
            try:
                info = client.publish(
                    state_topic(self.identity.store, self.identity.node),
                    encode(self.node_state(online=False)),
                    qos=1,
                    retain=True,
                )
                info.wait_for_publish(timeout=3)
            except (RuntimeError, ValueError):
                log.warning("%s: offline state not confirmed before disconnect", self.name)
        client.disconnect()
        client.loop_stop()
        log.info("%s stopped", self.name)

    # Connection management ---------------------------------------------------------------

    def _new_client(self) -> mqtt.Client:
        v5 = self.protocol == "5"
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
            clean_session=None if v5 else True,
            reconnect_on_failure=False,
        )
        client.enable_logger(logging.getLogger(f"{__name__}.paho"))
        client.max_inflight_messages_set(0)  # the drainer bounds its own window
        user, password = self.settings.credentials()
        if user is not None:
            client.username_pw_set(user, password)
        if self.settings.use_tls:
            tls = self.settings.tls
            client.tls_set(
                ca_certs=str(tls.ca_file) if tls and tls.ca_file else None,
                certfile=str(tls.cert_file) if tls and tls.cert_file else None,
                keyfile=str(tls.key_file) if tls and tls.key_file else None,
                cert_reqs=ssl.CERT_REQUIRED,
            )
            if tls is not None and tls.insecure:
                client.tls_insecure_set(True)
        client.will_set(
            state_topic(self.identity.store, self.identity.node),
            encode(self.node_state(online=False)),
            qos=1,
            retain=True,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self.drainer.on_publish
        client.on_socket_open = _no_delay
        return client

    def _run(self) -> None:
        delays = backoff_delays(self.settings.backoff_min, self.settings.backoff_max, self._rng)
        while not self._stop.is_set():
            client = self._new_client()
            with self._lock:
                self._client = client
            self._conn_changed.clear()
            self._answered = False
            connects_before = self.connects
            try:
                client.connect(
                    self.settings.host,
                    self.settings.port,
                    keepalive=self.settings.keepalive,
                    clean_start=True if self.protocol == "5" else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
                )
            except (OSError, ValueError) as exc:
                log.info("%s: cannot reach %s: %s", self.name, self.settings.url, exc)
            else:
                if self._stop.is_set():
                    return
                client.loop_start()
                self._wait_and_beat(client)
                if self._stop.is_set():
                    return  # stop() owns the clean disconnect
                client.loop_stop()
            if self.connects > connects_before:
                delays = backoff_delays(
                    self.settings.backoff_min, self.settings.backoff_max, self._rng
                )
            self._stop.wait(next(delays))

    def _wait_and_beat(self, client: mqtt.Client) -> None:
        """Until stop or a connection change: refresh the retained online state every
        ``heartbeat_s``. The cloud marks a node offline after ``device_timeout_s`` of silence;
        an idle kiosk sends no events, so without this quiet would look like gone."""
        beat = self.settings.heartbeat_s
        last = started = time.monotonic()
        while not self._stop.is_set() and not self._conn_changed.wait(min(0.5, beat)):
            late = not self._answered and time.monotonic() - started > CONNACK_TIMEOUT_S
            if late and self._fall_back(True):  # amqtt never answers a CONNECT 5 with a will
                client.disconnect()
                return
            if self._connected and (time.monotonic() - last >= beat or self._state_due.is_set()):
                last = time.monotonic()
                self._state_due.clear()
                seen, self._full_seen = self._full_seen, False
                state = encode(self.node_state(online=True, storage_full=seen))
                topic = state_topic(self.identity.store, self.identity.node)
                client.publish(topic, state, qos=1, retain=True)
                if seen and not self.outbox.storage_full:
                    self._state_due.set()  # room came back meanwhile: say so at the next wake
                self.heartbeats += 1

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if client is not self._client:
            return
        self._answered = True
        if reason_code.is_failure:
            if self._fall_back(reason_code.value in (1, 132)):
                return
            log.warning("%s: broker refused the connection: %s", self.name, reason_code)
            return
        client.publish(
            state_topic(self.identity.store, self.identity.node),
            encode(self.node_state(online=True)),
            qos=1,
            retain=True,
        )
        # What the cloud said on the last connection may be stale: a broker restarted without
        # persistence has no retained state, and its ingest may not have resubscribed yet,
        # so events sent now would be acknowledged and lost. Once a cloud state has been
        # seen, hold until the retained one on this connection says online.
        self._cloud_online = None
        self.drainer.hold(self._cloud_seen)
        topics = [(CLOUD_STATE_TOPIC, 1), (self.ack_topic, 1), *((f, 1) for f, _ in self._routes)]
        client.subscribe(topics)
        self.drainer.connected(client)  # before `connected` reads true: later emits are live
        with self._lock:
            self._connected = True
        self.connects += 1
        log.info("%s connected to %s (boot %d)", self.name, self.settings.url, self.outbox.boot)

    def _fall_back(self, unsupported: bool) -> bool:
        """``auto``: a broker that refuses MQTT 5 gets 3.1.1 from now on (one log line).
        Refusing is a CONNACK saying "unsupported protocol version" (1 in 3.1.1, 132 in 5),
        or no CONNACK within ``CONNACK_TIMEOUT_S`` (amqtt hangs on a CONNECT 5 with a will).
        """
        if self.settings.protocol != "auto" or self.protocol != "5" or not unsupported:
            return False
        self.protocol = "3.1.1"
        log.warning(
            "%s: broker at %s does not speak MQTT 5; using MQTT 3.1.1 with it "
            "(set mqtt.protocol to choose)",
            self.name,
            self.settings.url,
        )
        self._conn_changed.set()
        return True

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if client is not self._client:
            return
        with self._lock:
            was = self._connected
            self._connected = False
        self.drainer.disconnected()
        if was and not self._stop.is_set():
            log.warning("%s: connection lost: %s", self.name, reason_code)
        self._conn_changed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        topic = msg.topic
        payload = bytes(msg.payload)
        if topic in (CLOUD_STATE_TOPIC, self.ack_topic):
            return (self._on_ack if topic == self.ack_topic else self._on_cloud_state)(payload)
        for topic_filter, handler in self._routes:
            if mqtt.topic_matches_sub(topic_filter, topic):
                try:
                    handler(topic, payload)
                except Exception:
                    log.exception("%s: handler for %s failed on %s", self.name, topic_filter, topic)

    def _on_ack(self, payload: bytes) -> None:
        try:
            seq = decode_model(Ack, payload).seq
        except MessageError as exc:
            return log.warning("%s: ignoring malformed ack: %s", self.name, exc)
        self.drainer.on_cloud_ack(seq)

    def _on_cloud_state(self, payload: bytes) -> None:
        if not payload:
            self._cloud_online = None
        else:
            try:
                self._cloud_online = decode_model(CloudState, payload).online
            except MessageError as exc:
                log.warning("%s: ignoring malformed cloud state: %s", self.name, exc)
                return
            if not self._cloud_seen:
                self._cloud_seen = True
                self.outbox.set_meta(CLOUD_SEEN_KEY, 1)
        log.info("%s: cloud online = %s", self.name, self._cloud_online)
        self.drainer.hold(self._cloud_online is not True and self._cloud_seen)


def _no_delay(_client: Any, _userdata: Any, sock: Any) -> None:
    """Disable Nagle: without it each QoS 1 round trip waits ~40 ms (FIELD-NOTES)."""
    with contextlib.suppress(OSError, AttributeError):  # not a TCP socket (websockets)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
