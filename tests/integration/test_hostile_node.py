"""A stolen node password against Mosquitto started from config/mosquitto/mosquitto.conf and
the files `smartstore device` generates (issue 15; docs/SECURITY.md, "Stolen node password").

The attacker holds demo/kiosk-1's credentials; the victims are store ``north``'s traffic and
the cloud's ingest. Every attack must be refused by the broker itself: a SUBACK "Not
authorized", a PUBACK "Not authorized" with nothing delivered, or a refused connection.
The last test shows why the nodes' listener runs the dynamic-security plugin: with acl_file
alone (Mosquitto 2.0) the share subscription is granted and takes half of the events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cloud.fleet.dynsec import CONTROL_TOPIC
from contracts.codec import encode
from contracts.messages import Ack
from contracts.topics import (
    CLOUD_STATE_TOPIC,
    ack_topic,
    commands_filter,
    event_topic,
    events_filter,
    pricebook_topic,
    shared,
)
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.link import Link
from edge.outbox import Outbox
from tests.cloud.fleet.broker import Probe, SecureBroker, secure_broker

pytestmark = pytest.mark.mosquitto

EVENTS = 200
REFUSED = "Not authorized"
GROUP = "ingest3f9c0a"  # SMARTSTORE_INGEST_GROUP of this deployment

ATTACK_FILTERS = [
    "$share/ingest/smartstore/v1/+/+/evt/+",  # the report's attack, default group
    shared(GROUP, events_filter()),  # ... and the real group, had it leaked
    "$share/any/#",
    "#",
    "smartstore/v1/#",
    events_filter(),
    "smartstore/v1/north/#",
    "smartstore/v1/+/+/ack",
    commands_filter("north", "kiosk-1"),
    pricebook_topic("north"),
    "smartstore/v1/demo/kiosk-1/#",  # wider than its own rights
    "$SYS/#",
    "$CONTROL/#",
]


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def broker() -> Iterator[SecureBroker]:
    with secure_broker() as b:
        yield b


def _login(broker: SecureBroker, username: str, password: str, client_id: str) -> Probe:
    probe = Probe(broker, username, password, client_id)
    assert probe.connect() == "Success"
    return probe


def _publish_north(north: Probe, n: int = EVENTS) -> None:
    mids = [
        north.publish(event_topic("north", "kiosk-1", "sale"), b'{"i": %d}' % i) for i in range(n)
    ]
    wait_for(lambda: all(north.acks.get(m) == "Success" for m in mids))


def _refused_publishes(attacker: Probe, targets: list[tuple[str, bytes]]) -> None:
    mids = [attacker.publish(topic, body) for topic, body in targets]
    wait_for(lambda: all(m in attacker.acks for m in mids))
    assert [attacker.acks[m] for m in mids] == [REFUSED] * len(mids)


def test_a_stolen_node_password_is_refused_by_the_broker(broker: SecureBroker) -> None:
    fleet = broker.fleet
    stolen = fleet.provision("demo", "kiosk-1")
    victim = fleet.provision("north", "kiosk-1")
    svc = fleet.provision_service("ingest")
    ingest_id = "smartstore-ingest-0"  # even a guessed one: see the takeover below
    ingest = _login(broker, svc.username, svc.password, ingest_id)
    north = _login(broker, victim.username, victim.password, victim.client_id)
    attacker = _login(broker, stolen.username, stolen.password, "anything")
    try:
        assert ingest.subscribe(shared(GROUP, events_filter())) == "Granted QoS 1"
        # the legitimate node's own subscriptions (edge/link.py) are granted
        for own in (
            CLOUD_STATE_TOPIC,
            ack_topic("north", "kiosk-1"),
            commands_filter("north", "kiosk-1"),
            pricebook_topic("north"),
        ):
            assert north.subscribe(own) == "Granted QoS 1", own

        # 1. share subscriptions and wildcards: refused in the SUBACK
        refused = {f: attacker.subscribe(f) for f in ATTACK_FILTERS}
        assert refused == dict.fromkeys(ATTACK_FILTERS, REFUSED)
        _publish_north(north)
        wait_for(lambda: len(ingest.messages) == EVENTS)
        time.sleep(0.3)
        assert len(ingest.messages) == EVENTS, "every event reached the ingest"
        assert attacker.messages == [], "the node read nothing"

        # 2. client-id takeover: the broker renames the thief to its user name
        for target in (ingest_id, victim.client_id, "smartstore-ingest-1"):
            for _ in range(5):
                thief = Probe(broker, stolen.username, stolen.password, target)
                assert thief.connect() == "Success"
                thief.close()
        assert not ingest.disconnected.is_set(), "the ingest session was never taken over"
        assert not north.disconnected.is_set(), "nor north's"
        # ... and a node password does not open the cloud listener at all
        cloud_side = Probe(broker, stolen.username, stolen.password, ingest_id, broker.cloud_port)
        assert cloud_side.connect() != "Success"
        cloud_side.close()
        _publish_north(north, 50)
        wait_for(lambda: len(ingest.messages) == EVENTS + 50)

        # 3. price books (another store's and its own: the cloud's to write), acks, the
        # plugin's control topic: PUBACK "Not authorized", nothing delivered, nothing changed
        grab = {"commands": [{"command": "addClientRole", "username": "demo/kiosk-1"}]}
        _refused_publishes(
            attacker,
            [
                (pricebook_topic("north"), b'{"fake": "prices"}'),
                (pricebook_topic("demo"), b'{"fake": "prices"}'),
                (ack_topic("north", "kiosk-1"), b'{"boot": 1, "seq": 999999}'),
                (event_topic("north", "kiosk-1", "sale"), b'{"forged": 1}'),
                (CONTROL_TOPIC, json.dumps(grab).encode()),
            ],
        )
        ingest.publish(ack_topic("north", "kiosk-1"), b'{"boot": 1, "seq": 250}')
        ingest.publish(pricebook_topic("north"), b'{"real": "book"}')
        wait_for(lambda: len(north.messages) == 2)
        time.sleep(0.3)
        assert sorted(p for _, p in north.messages) == [
            b'{"boot": 1, "seq": 250}',
            b'{"real": "book"}',
        ]
        assert len(ingest.messages) == EVENTS + 50, "the forged sale never reached ingest"
        assert attacker.messages == []
    finally:
        for probe in (ingest, north, attacker):
            probe.close()


def test_acl_file_alone_lets_a_node_take_a_share_of_the_ingest() -> None:
    """The measurement behind decision 0171: Mosquitto 2.0's acl_file grants the SUBSCRIBE
    and then drops the share it routes to the node (it checks deliveries only)."""
    with secure_broker(acl_file=True) as broker:
        fleet = broker.fleet
        stolen = fleet.provision("demo", "kiosk-1")
        victim = fleet.provision("north", "kiosk-1")
        svc = fleet.provision_service("ingest")
        ingest = _login(broker, svc.username, svc.password, "smartstore-ingest-known")
        north = _login(broker, victim.username, victim.password, victim.client_id)
        attacker = _login(broker, stolen.username, stolen.password, "x")
        try:
            ingest.subscribe(shared("ingest", events_filter()))
            assert attacker.subscribe(shared("ingest", events_filter())) == "Granted QoS 1"
            assert attacker.subscribe("#") == "Granted QoS 1"
            _publish_north(north)
            time.sleep(0.5)
            got = len(ingest.messages)
            assert attacker.messages == []  # delivery is checked: the attacker reads nothing...
            assert got < EVENTS  # ... but its share of the group is lost to ingest
            print(f"acl_file, known group: ingest got {got}/{EVENTS}")
        finally:
            for probe in (ingest, north, attacker):
                probe.close()


def test_a_real_node_and_the_ingest_still_talk_through_the_plugin(
    broker: SecureBroker, tmp_path: Path
) -> None:
    """The edge's own Link (its subscriptions, retained state, will, events) under the
    nodes' role: every event reaches the ingest, the cloud's ack empties the outbox."""
    cred = broker.fleet.provision("north", "kiosk-1")
    svc = broker.fleet.provision_service("ingest")
    ingest = _login(broker, svc.username, svc.password, "smartstore-ingest-a1")
    ingest.subscribe(shared(GROUP, events_filter()))
    ingest.subscribe("smartstore/v1/+/+/state")
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", replay_rate=1e6)
    outbox = Outbox.open(settings.path, "north", "kiosk-1", settings)
    mqtt = MqttSettings(url=cred.mqtt_url(broker.host, broker.port), protocol="5")
    link = Link(mqtt, NodeIdentity(store="north", node="kiosk-1"), outbox, kind="kiosk")
    outbox.emit_many([("fault", {"code": "paper_out", "component": "printer"})] * 20)
    link.start()
    try:
        wait_for(lambda: sum("/evt/" in t for t, _ in ingest.messages) == 20)
        assert any(t == "smartstore/v1/north/kiosk-1/state" for t, _ in ingest.messages)
        ingest.publish(ack_topic("north", "kiosk-1"), encode(Ack(boot=outbox.boot, seq=20)))
        wait_for(lambda: outbox.depth() == 0)
    finally:
        link.stop()
        outbox.close()
        ingest.close()
