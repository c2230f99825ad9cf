"""The ingest's PUBLISH decoder gives what paho's own gives, for every packet (hypothesis),
and a real client through a real broker still gets its messages and their properties."""

from __future__ import annotations

import struct
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt import _packet
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.exception import MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud.ingest import paho_fast
from tests.support.services import mosquitto

ORIGINAL = _packet.decode_publish
FAST = paho_fast.fast_decoder(ORIGINAL)
PROTOCOLS = [MQTTProtocolVersion.MQTTv5, MQTTProtocolVersion.MQTTv311]


def _props(expiry: int | None, sub_id: int | None, user: list[tuple[str, str]]) -> bytes:
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    if expiry is not None:
        props.MessageExpiryInterval = expiry
    if sub_id is not None:
        props.SubscriptionIdentifier = sub_id
    for pair in user:
        props.UserProperty = pair
    packed: bytes = props.pack()  # type: ignore[no-untyped-call]
    return packed


@st.composite
def publish_packets(draw: st.DrawFn) -> tuple[int, bytes]:
    topic = draw(st.binary(max_size=80))
    qos = draw(st.integers(0, 2))
    header = 0x30 | (qos << 1) | draw(st.integers(0, 1)) << 3 | draw(st.integers(0, 1))
    body = struct.pack("!H", len(topic)) + topic
    if qos:
        body += struct.pack("!H", draw(st.integers(1, 65535)))
    if draw(st.booleans()):
        expiry = draw(st.none() | st.integers(0, 2**32 - 1))
        sub_id = draw(st.none() | st.integers(1, 268435455))
        user = draw(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=2))
        body += _props(expiry, sub_id, user)
    else:
        body += b"\x00"
    return header, body + draw(st.binary(max_size=300))


def _outcome(decode: Any, header: int, packet: bytes, protocol: Any) -> Any:
    try:
        got = decode(header, packet, protocol)
    except MalformedPacket:
        return "malformed"
    props = got.properties
    shown = None if props is None else (props.packetType, props.json())
    return (got.dup, got.qos, got.retain, got.topic, got.mid, bytes(got.payload), shown)


@settings(max_examples=400, deadline=None)
@given(publish_packets(), st.sampled_from(PROTOCOLS))
def test_same_as_paho_for_well_formed_packets(packet: tuple[int, bytes], protocol: Any) -> None:
    header, body = packet
    assert _outcome(FAST, header, body, protocol) == _outcome(ORIGINAL, header, body, protocol)


@settings(max_examples=400, deadline=None)
@given(st.integers(0x30, 0x3F), st.binary(max_size=40), st.sampled_from(PROTOCOLS))
def test_same_as_paho_for_any_bytes(header: int, body: bytes, protocol: Any) -> None:
    assert _outcome(FAST, header, body, protocol) == _outcome(ORIGINAL, header, body, protocol)


def test_each_message_gets_its_own_properties_object() -> None:
    body = struct.pack("!H", 1) + b"t" + struct.pack("!H", 7) + b"\x00payload"
    a, b = FAST(0x32, body, PROTOCOLS[0]), FAST(0x32, body, PROTOCOLS[0])
    assert a.properties is not b.properties
    a.properties.UserProperty = ("k", "v")
    assert not hasattr(b.properties, "UserProperty")


@pytest.mark.mosquitto
def test_installed_a_v5_client_still_gets_messages_and_properties(tmp_path: Path) -> None:
    assert paho_fast.install()
    assert paho_fast.install()  # once per process
    got: list[tuple[str, bytes, list[Any]]] = []
    done = threading.Event()
    with mosquitto(tmp_path) as broker:
        sub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

        def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
            got.append((msg.topic, bytes(msg.payload), getattr(msg.properties, "UserProperty", [])))
            if len(got) == 2:
                done.set()

        subscribed = threading.Event()
        sub.on_message = on_message
        sub.on_subscribe = lambda *_a: subscribed.set()
        sub.connect(broker.host, broker.port)
        sub.loop_start()
        sub.subscribe("t/#", qos=1)
        assert subscribed.wait(5)
        pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        pub.connect(broker.host, broker.port)
        pub.loop_start()
        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        props.UserProperty = ("trace", "1")
        pub.publish("t/plain", b"one", qos=1).wait_for_publish(5)
        pub.publish("t/props", b"two", qos=1, properties=props).wait_for_publish(5)
        assert done.wait(5), got
        for c in (pub, sub):
            c.disconnect()
            c.loop_stop()
    assert got == [("t/plain", b"one", []), ("t/props", b"two", [("trace", "1")])]


def test_uninstall_gives_paho_its_own_decoder_back() -> None:
    was = paho_fast.installed()
    paho_fast.uninstall()
    own = _packet.decode_publish
    assert own.__module__ == _packet.__name__
    try:
        assert paho_fast.install()
        assert _packet.decode_publish is not own
        assert paho_fast.installed()
        paho_fast.uninstall()
        assert _packet.decode_publish is own
        assert not paho_fast.installed()
    finally:
        if was:
            paho_fast.install()
