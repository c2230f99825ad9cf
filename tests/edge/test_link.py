"""The link against real brokers: Mosquitto (MQTT 5) and the embedded amqtt (MQTT 3.1.1)."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from contracts.codec import decode_event, decode_model, encode
from contracts.messages import Ack, CloudState, NodeState
from contracts.topics import (
    CLOUD_STATE_TOPIC,
    ack_topic,
    command_topic,
    events_filter,
    state_topic,
)
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.exceptions import LinkError, OutboxError
from edge.link import Link, backoff_delays
from edge.outbox import Outbox
from tests.edge.test_outbox_disk_full import free_disk, write_on_a_full_disk
from tests.integration.edge_consumer import wait_for
from tests.support.services import MosquittoProcess

FAULT = {"code": "paper_out", "component": "printer"}
ID = NodeIdentity(store="demo", node="kiosk-1")


class Watcher:
    """A plain paho client recording what reaches the broker."""

    def __init__(self, url_host: str, port: int, protocol: str) -> None:
        v5 = protocol == "5"
        self.messages: list[mqtt.MQTTMessage] = []
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
        )
        self.client.on_message = lambda c, u, m: self.messages.append(m)
        self.client.connect(url_host, port)
        self.client.loop_start()
        info = self.client.subscribe(
            [(events_filter("demo", "kiosk-1"), 1), (state_topic("demo", "kiosk-1"), 1)]
        )
        assert info[0] == mqtt.MQTT_ERR_SUCCESS

    def states(self) -> list[NodeState]:
        return [
            decode_model(NodeState, bytes(m.payload))
            for m in self.messages
            if m.topic.endswith("/state") and m.payload
        ]

    def seqs(self) -> list[int]:
        return [
            decode_event(m.topic, bytes(m.payload)).envelope.seq
            for m in self.messages
            if "/evt/" in m.topic
        ]

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def ack(self, seq: int, boot: int = 1) -> None:
        """Say what the cloud says once it has applied every event up to ``seq``."""
        self.publish(ack_topic("demo", "kiosk-1"), encode(Ack(boot=boot, seq=seq)))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture(params=["mosquitto-v5", "amqtt-v311"])
def broker(request: pytest.FixtureRequest) -> Iterator[tuple[str, int, str]]:
    if request.param == "mosquitto-v5":
        b = request.getfixturevalue("mosquitto_broker")
        yield b.host, b.port, "5"
    else:
        b = request.getfixturevalue("amqtt_broker")
        yield b.host, b.port, "3.1.1"


def make_link(tmp_path: Path, host: str, port: int, protocol: str, **kw: object) -> Link:
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=1e6)
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    mqtt_settings = MqttSettings(
        url=f"mqtt://{host}:{port}",
        protocol=protocol,
        backoff_min=0.05,
        backoff_max=0.2,  # type: ignore[arg-type]
    )
    return Link(mqtt_settings, ID, outbox, kind="kiosk", software_version="1.2.3", **kw)  # type: ignore[arg-type]


@pytest.mark.mosquitto
def test_link_drains_outbox_and_publishes_state(
    broker: tuple[str, int, str], tmp_path: Path
) -> None:
    host, port, protocol = broker
    watcher = Watcher(host, port, protocol)
    link = make_link(tmp_path, host, port, protocol, state_extra=lambda: {"lanes": 4})
    link.outbox.emit_many([("fault", FAULT)] * 20)  # backlog from before the connection
    link.start()
    try:
        wait_for(lambda: link.connected, 10, "connect")
        for _ in range(30):
            link.outbox.emit("fault", FAULT)
        wait_for(lambda: len(set(watcher.seqs())) == 50, 10, "50 events")
        wait_for(lambda: link.outbox.stats()["sent"] >= 50, 10, "all taken by the broker")
        assert link.outbox.depth() == 50  # sent is not delivered: no cloud has acked
        watcher.ack(30)
        wait_for(lambda: link.outbox.depth() == 20, 10, "acked up to 30")
        watcher.ack(50)
        wait_for(lambda: link.outbox.depth() == 0, 10, "all acknowledged")
    finally:
        link.stop()
        link.outbox.close()
    wait_for(lambda: len(watcher.states()) >= 2, 10, "online then offline")
    watcher.close()
    online, offline = watcher.states()[0], watcher.states()[-1]
    assert (online.online, online.boot, online.kind, online.software_version) == (
        True,
        1,
        "kiosk",
        "1.2.3",
    )
    assert online.model_extra == {"lanes": 4}
    assert (offline.online, offline.boot) == (False, 1)
    assert sorted(set(watcher.seqs())) == list(range(1, 51))


@pytest.mark.mosquitto
def test_routes_survive_failing_handlers_and_resubscribe_after_reconnect(
    mosquitto_broker: object, tmp_path: Path
) -> None:
    b = mosquitto_broker
    host, port = b.host, b.port  # type: ignore[attr-defined]
    link = make_link(tmp_path, host, port, "5")
    got: list[bytes] = []

    def flaky(topic: str, payload: bytes) -> None:
        if payload == b"boom":
            raise RuntimeError("handler bug")
        got.append(payload)

    link.route(command_topic("demo", "kiosk-1", "lock"), flaky)
    link.start()
    watcher = Watcher(host, port, "5")
    try:
        wait_for(lambda: link.connected, 10, "connect")
        with pytest.raises(LinkError):
            link.route("late/#", flaky)
        watcher.publish(command_topic("demo", "kiosk-1", "lock"), b"boom")
        watcher.publish(command_topic("demo", "kiosk-1", "lock"), b"one")
        wait_for(lambda: got == [b"one"], 10, "handler after a failing one")
        watcher.close()
        b.restart()  # type: ignore[attr-defined]
        wait_for(lambda: link.connected and link.connects >= 2, 15, "reconnect")
        watcher = Watcher(host, port, "5")
        wait_for(
            lambda: (
                watcher.publish(command_topic("demo", "kiosk-1", "lock"), b"two") or b"two" in got
            ),
            10,
            "handler after reconnect",
        )
        assert link.publish_now(command_topic("demo", "kiosk-1", "lock") + "/res", b"{}")
    finally:
        link.stop()
        link.outbox.close()
        watcher.close()
    assert not link.publish_now("smartstore/v1/demo/kiosk-1/cmd/lock/res", b"{}")


@pytest.mark.mosquitto
def test_publishing_holds_while_cloud_says_offline(
    mosquitto_broker: object, tmp_path: Path
) -> None:
    b = mosquitto_broker
    host, port = b.host, b.port  # type: ignore[attr-defined]
    watcher = Watcher(host, port, "5")
    watcher.publish(CLOUD_STATE_TOPIC, encode(CloudState(online=False)), retain=True)
    link = make_link(tmp_path, host, port, "5")
    link.start()
    try:
        wait_for(lambda: link.cloud_online is False, 10, "retained cloud state")
        link.outbox.emit_many([("fault", FAULT)] * 5)
        with pytest.raises(AssertionError):
            wait_for(lambda: bool(watcher.seqs()), 0.5, "nothing while held")
        assert link.outbox.depth() == 5
        watcher.publish(CLOUD_STATE_TOPIC, b"not json", retain=True)  # malformed: ignored
        watcher.publish(CLOUD_STATE_TOPIC, encode(CloudState(online=True)), retain=True)
        wait_for(lambda: len(watcher.seqs()) == 5, 10, "released")
        assert link.cloud_online is True
    finally:
        link.stop()
        link.outbox.close()
        watcher.close()


def test_link_keeps_retrying_an_absent_broker_and_stops_promptly(tmp_path: Path) -> None:
    from smartstore.broker import free_port

    link = make_link(tmp_path, "127.0.0.1", free_port(), "5")
    link.start()
    link.outbox.emit("fault", FAULT)
    with pytest.raises(AssertionError):
        wait_for(lambda: link.connected, 0.5, "never")
    assert not link.publish_now("smartstore/v1/demo/kiosk-1/cmd/x/res", b"")
    link.stop()
    assert link.outbox.depth() == 1
    link.outbox.close()


def test_backoff_doubles_with_jitter_up_to_the_ceiling() -> None:
    delays = backoff_delays(0.5, 8.0, random.Random(7))
    got = [next(delays) for _ in range(10)]
    ceilings = [0.5, 1, 2, 4, 8, 8, 8, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(got, ceilings, strict=True))
    assert len({round(d, 6) for d in got[5:]}) > 1  # jittered, not in lock-step


@pytest.mark.mosquitto
def test_node_that_once_had_a_cloud_starts_held_after_a_broker_crash(
    mosquitto_broker: object, tmp_path: Path
) -> None:
    """A fresh broker has no retained cloud state; a node that knew a cloud must wait for it."""
    b = mosquitto_broker
    host, port = b.host, b.port  # type: ignore[attr-defined]
    watcher = Watcher(host, port, "5")
    watcher.publish(CLOUD_STATE_TOPIC, encode(CloudState(online=True)), retain=True)
    link = make_link(tmp_path, host, port, "5")
    link.start()
    wait_for(lambda: link.cloud_online is True, 10, "cloud seen once")
    link.stop()
    link.outbox.close()
    watcher.publish(CLOUD_STATE_TOPIC, b"", retain=True)  # the broker lost its retained state

    link = make_link(tmp_path, host, port, "5")  # same outbox file: a restarted node
    link.start()
    try:
        wait_for(lambda: link.connected, 10, "connected")
        link.outbox.emit_many([("fault", FAULT)] * 3)
        with pytest.raises(AssertionError):
            wait_for(lambda: bool(watcher.seqs()), 0.7, "nothing before the cloud is back")
        assert link.outbox.depth() == 3
        watcher.publish(CLOUD_STATE_TOPIC, encode(CloudState(online=True)), retain=True)
        wait_for(lambda: len(watcher.seqs()) == 3, 10, "released when the cloud says online")
    finally:
        link.stop()
        link.outbox.close()
        watcher.close()


def test_cloud_seen_flag_is_durable(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = Outbox.open(path, "demo", "kiosk-1")
    assert outbox.meta("cloud_seen") is None
    outbox.set_meta("cloud_seen", 1)
    outbox.close()
    again = Outbox.open(path, "demo", "kiosk-1")
    assert again.meta("cloud_seen") == 1
    again.close()


@pytest.mark.mosquitto
def test_events_nobody_receives_stay_unsent_until_an_ingest_subscribes(
    mosquitto_broker: object, tmp_path: Path
) -> None:
    """MQTT 5 PUBACK 0x10 (no matching subscribers) is not delivery when require_subscriber."""
    b = mosquitto_broker
    host, port = b.host, b.port  # type: ignore[attr-defined]
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=1e6, require_subscriber=True)
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    mqtt_settings = MqttSettings(url=f"mqtt://{host}:{port}", backoff_min=0.05, backoff_max=0.2)
    link = Link(mqtt_settings, ID, outbox, kind="kiosk", outbox_settings=settings)
    link.start()
    watcher: Watcher | None = None
    try:
        wait_for(lambda: link.connected, 10, "connected")
        outbox.emit_many([("fault", FAULT)] * 4)
        wait_for(lambda: link.drainer.counters["unrouted"] >= 1, 10, "0x10 seen")
        assert outbox.stats()["sent"] == 0  # acknowledged by the broker, but nobody got them
        watcher = Watcher(host, port, "5")  # the ingest arrives
        wait_for(lambda: sorted(set(watcher.seqs())) == [1, 2, 3, 4], 20, "retried and delivered")
        wait_for(lambda: outbox.stats()["sent"] >= 4, 10, "marked sent")
        assert outbox.depth() == 4
        watcher.ack(4)
        wait_for(lambda: outbox.depth() == 0, 10, "acked")
    finally:
        link.stop()
        outbox.close()
        if watcher is not None:
            watcher.close()


@pytest.mark.mosquitto
def test_unacked_rows_are_resent_historical_until_the_cloud_acks(
    mosquitto_broker: object, tmp_path: Path
) -> None:
    """The broker took them but no ack came (a lost broker disk, a dead worker): re-sent
    after the timeout, flagged historical, with backoff; an ack ends it."""
    b = mosquitto_broker
    host, port = b.host, b.port  # type: ignore[attr-defined]
    settings = OutboxSettings(
        path=tmp_path / "o.sqlite3", replay_rate=1e6, ack_timeout=0.3, ack_timeout_min=0.2
    )
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    mqtt_settings = MqttSettings(url=f"mqtt://{host}:{port}", backoff_min=0.05, backoff_max=0.2)
    link = Link(mqtt_settings, ID, outbox, kind="kiosk", outbox_settings=settings)
    watcher = Watcher(host, port, "5")
    link.start()
    try:
        wait_for(lambda: link.connected, 10, "connected")
        outbox.emit_many([("fault", FAULT)] * 3)
        wait_for(lambda: watcher.seqs().count(3) >= 3, 15, "seq 3 re-sent twice")
        copies = [
            decode_event(m.topic, bytes(m.payload)).envelope
            for m in watcher.messages
            if "/evt/" in m.topic
        ]
        assert [e.historical for e in copies if e.seq == 1][:3] == [False, True, True]
        assert link.drainer.timer.backoffs >= 2  # the timeout doubled after each round
        watcher.ack(3)
        wait_for(lambda: outbox.depth() == 0, 10, "acked")
        resent = link.drainer.counters["resent"]
        seen = len(watcher.messages)
        time.sleep(1.0)  # several timeouts' worth
        assert link.drainer.counters["resent"] == resent  # nothing more once acked
        assert len([m for m in watcher.messages[seen:] if "/evt/" in m.topic]) == 0
    finally:
        link.stop()
        outbox.close()
        watcher.close()


@pytest.mark.mosquitto
def test_a_full_outbox_disk_is_in_the_retained_state_at_once(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    """The node cannot write an event about its full disk; it says so in its state (a
    publish, no disk write) without waiting for the heartbeat, and says so again on room."""
    host, port = mosquitto_broker.host, mosquitto_broker.port
    watcher = Watcher(host, port, "5")
    link = make_link(tmp_path, host, port, "5")
    assert link.settings.heartbeat_s >= 10
    link.start()
    try:
        wait_for(lambda: link.connected and bool(watcher.states()), 10, "online")
        with pytest.raises((OutboxError, sqlite3.Error)):
            write_on_a_full_disk(link.outbox)
        wait_for(lambda: watcher.states()[-1].storage_full is True, 3, "storage_full in the state")
        free_disk(link.outbox)
        link.outbox.emit("fault", FAULT)
        wait_for(lambda: watcher.states()[-1].storage_full is False, 3, "room again")
    finally:
        link.stop()
        link.outbox.close()
        watcher.close()


def test_a_full_disk_that_has_room_again_at_once_is_still_told(
    mosquitto_broker: MosquittoProcess, tmp_path: Path
) -> None:
    """Full, then room, before the link's next wake: the state publisher used to send only
    the latest (room), so the cloud never opened its storage alert (fault fleet, 1 in 5)."""
    host, port = mosquitto_broker.host, mosquitto_broker.port
    watcher = Watcher(host, port, "5")
    link = make_link(tmp_path, host, port, "5")
    link.start()
    try:
        wait_for(lambda: link.connected and bool(watcher.states()), 10, "online")
        told = len(watcher.states())
        with pytest.raises((OutboxError, sqlite3.Error)):
            write_on_a_full_disk(link.outbox)
        free_disk(link.outbox)
        link.outbox.emit("fault", FAULT)  # room again, within the same half second

        def full_then_room() -> bool:
            later = [state.storage_full for state in watcher.states()[told:]]
            return True in later and False in later[later.index(True) :]

        wait_for(full_then_room, 5, "a state with the disk full, then one with room")
    finally:
        link.stop()
        link.outbox.close()
        watcher.close()
