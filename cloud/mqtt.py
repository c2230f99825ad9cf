"""paho-mqtt v2 clients built from cloud settings (URL, protocol, TLS, credentials).

``mqtt_protocol: auto`` (the default) is settled once per broker address by a short MQTT 5
CONNECT: a broker that refuses the version (the embedded amqtt) gets 3.1.1, and the ingest
then uses a plain subscription instead of ``$share/…`` (docs/decisions/0004).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from cloud.exceptions import CloudError

if TYPE_CHECKING:
    from paho.mqtt.client import Client

    from cloud.settings import CloudSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(url: str) -> BrokerAddress:
    """``mqtt://user:pass@host:port`` or ``mqtts://…`` (default ports 1883 / 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise CloudError(f"unsupported MQTT URL scheme in {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def make_client(
    settings: CloudSettings, *, role: str, manual_ack: bool = False, client_id: str | None = None
) -> tuple[Client, BrokerAddress, bool]:
    """A configured, unconnected client; returns (client, address, persistent session)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    address = parse_mqtt_url(settings.mqtt_url)
    persistent = client_id is not None or settings.mqtt_client_id is not None
    cid = client_id or settings.mqtt_client_id or f"smartstore-{role}-{secrets.token_hex(8)}"
    protocol = mqtt.MQTTv5 if resolve_protocol(settings).mqtt_protocol == "5" else mqtt.MQTTv311
    kwargs: dict[str, Any] = {}
    if protocol == mqtt.MQTTv311:
        kwargs["clean_session"] = not persistent
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=cid,
        protocol=protocol,
        manual_ack=manual_ack,
        **kwargs,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        ca = str(settings.mqtt_ca_file) if settings.mqtt_ca_file is not None else None
        client.tls_set(ca_certs=ca, cert_reqs=ssl.CERT_REQUIRED)
    client.max_queued_messages_set(0)
    client.on_socket_open = _no_delay
    return client, address, persistent


_settled: dict[tuple[str, int, bool], str] = {}
_settled_lock = threading.Lock()


def resolve_protocol(settings: CloudSettings, timeout: float = 10.0) -> CloudSettings:
    """``settings`` with ``auto`` settled to "5" or "3.1.1" (shared subscriptions off on 3.1.1).

    Asked once per broker address and process; the answer is logged in one line.
    """
    if settings.mqtt_protocol != "auto":
        return settings
    address = parse_mqtt_url(settings.mqtt_url)
    key = (address.host, address.port, address.tls)
    with _settled_lock:
        version = _settled.get(key) or _probe(settings, address, timeout)
        if version is not None:
            _settled[key] = version
    version = version or "5"  # no answer: not remembered, the next client asks again
    return settings.model_copy(
        update={
            "mqtt_protocol": version,
            "ingest_shared": settings.ingest_shared and version == "5",
        }
    )


def _probe(settings: CloudSettings, address: BrokerAddress, timeout: float) -> str | None:
    """Connect with MQTT 5 until the broker answers (or ``timeout``); "3.1.1" if it refuses."""
    deadline = time.monotonic() + timeout
    while True:
        answer = _ask_once(settings, address, max(0.5, deadline - time.monotonic()))
        if answer in (1, 132):  # 3.1.1 "unacceptable version" / MQTT 5 "unsupported version"
            log.warning(
                "broker at %s:%d does not speak MQTT 5; using MQTT 3.1.1 with it "
                "(no shared subscriptions; set mqtt_protocol to choose)",
                address.host,
                address.port,
            )
            return "3.1.1"
        if answer is not None:
            log.info("broker at %s:%d speaks MQTT 5", address.host, address.port)
            return "5"
        if time.monotonic() >= deadline:
            log.warning(
                "broker at %s:%d did not answer within %.0f s; trying MQTT 5",
                address.host,
                address.port,
                timeout,
            )
            return None
        time.sleep(0.5)


def _ask_once(settings: CloudSettings, address: BrokerAddress, wait: float) -> int | None:
    """One MQTT 5 CONNECT: the CONNACK's reason code, or None (unreachable, no answer)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    answer: list[int] = []
    done = threading.Event()
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"smartstore-probe-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
        reconnect_on_failure=False,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        ca = str(settings.mqtt_ca_file) if settings.mqtt_ca_file is not None else None
        client.tls_set(ca_certs=ca, cert_reqs=ssl.CERT_REQUIRED)

    def on_connect(_c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        answer.append(reason.value)
        done.set()

    client.on_connect = on_connect
    client.on_disconnect = lambda *_a: done.set()
    try:
        client.connect(address.host, address.port, keepalive=10)
    except (OSError, ValueError):
        return None
    client.loop_start()
    done.wait(wait)
    client.disconnect()
    client.loop_stop()
    return answer[0] if answer else None


def _no_delay(_client: Any, _userdata: Any, sock: Any) -> None:
    """Disable Nagle: without it each QoS 1 round trip waits ~40 ms on loopback."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


SESSION_EXPIRY_S = 120
"""A worker back within this resumes its session; one that never returns frees its share of
the queue then. Nothing rides on the session: nodes re-send until the cloud acks (SPEC §4)."""


def connect_properties(persistent: bool, protocol: str) -> Any:
    """MQTT 5 session expiry for a named session: short, since end-to-end acks, not the
    broker's queue, make delivery safe (a long one let a dead worker hoard its share)."""
    if protocol != "5" or not persistent:
        return None
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = SESSION_EXPIRY_S
    return props
