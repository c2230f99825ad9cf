"""The embedded amqtt broker: starts, carries QoS 1 and retained messages (3.1.1), stops."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from smartstore.broker import (
    EmbeddedBroker,
    SnapshotDict,
    broker_config,
    free_port,
    wait_for_port,
)


def client() -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv311)


def test_embedded_broker_round_trips_qos1_and_retained(amqtt_broker: EmbeddedBroker) -> None:
    pub = client()
    pub.connect(amqtt_broker.host, amqtt_broker.port)
    pub.loop_start()
    pub.publish(
        "smartstore/v1/demo/kiosk-1/state", b'{"online":true,"boot":1}', qos=1, retain=True
    ).wait_for_publish(5)

    got: list[tuple[str, bytes, bool]] = []
    done = threading.Event()

    def on_message(c: mqtt.Client, u: object, m: mqtt.MQTTMessage) -> None:
        got.append((m.topic, m.payload, m.retain))
        if len(got) == 2:
            done.set()

    sub = client()
    sub.on_message = on_message
    sub.connect(amqtt_broker.host, amqtt_broker.port)
    sub.loop_start()
    sub.subscribe("smartstore/v1/#", 1)
    # the retained state arrives on subscribe; then a live event
    threading.Timer(
        0.3, lambda: pub.publish("smartstore/v1/demo/kiosk-1/evt/fault", b"{}", qos=1)
    ).start()
    assert done.wait(10)
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()
    assert got[0] == ("smartstore/v1/demo/kiosk-1/state", b'{"online":true,"boot":1}', True)
    assert got[1][:2] == ("smartstore/v1/demo/kiosk-1/evt/fault", b"{}")


def test_stop_frees_the_port_and_a_busy_port_is_reported() -> None:
    port = free_port()
    broker = EmbeddedBroker("127.0.0.1", port)
    broker.start()
    wait_for_port("127.0.0.1", port, 5)
    with pytest.raises(RuntimeError):
        EmbeddedBroker("127.0.0.1", port).start(timeout=10)
    broker.stop()
    again = EmbeddedBroker("127.0.0.1", port)
    again.start()
    again.stop()


def test_config_listens_where_asked() -> None:
    cfg = broker_config("0.0.0.0", 1999)
    assert cfg["listeners"]["default"]["bind"] == "0.0.0.0:1999"


def test_subscription_table_loops_survive_a_subscribe_in_between() -> None:
    """amqtt walks its table across awaits; another client's subscribe in the middle must
    not end the walk ("dictionary changed size during iteration" dropped a demo node)."""
    table = SnapshotDict({"a/#": [], "b/+": []})
    walked = []
    for topic in table:
        walked.append(topic)
        table[f"new/{topic}"] = []  # what a concurrent SUBSCRIBE does
    for topic, _subs in table.items():
        if topic.startswith("new/"):
            del table[topic]  # and a concurrent disconnect
    assert walked == ["a/#", "b/+"]
    assert sorted(table) == ["a/#", "b/+"]


def test_the_embedded_broker_walks_snapshots(amqtt_broker: EmbeddedBroker) -> None:
    assert isinstance(amqtt_broker._broker._subscriptions, SnapshotDict)
