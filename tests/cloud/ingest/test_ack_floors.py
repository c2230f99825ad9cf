"""The cloud's end-to-end ack floor (cloud.ingest.acks) on both databases: gaps hold it,
dead letters that say whose event they were fill them, it runs across boots, never goes
down; and a worker publishes it on the node's ack topic after each batch."""

from __future__ import annotations

import threading
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.ingest.acks import Floor, advance, delivery_key, nodes_of
from cloud.ingest.models import DeadLetter, DeliveryFloor
from cloud.ingest.pipeline import Inbound, Pipeline
from cloud.ingest.worker import IngestWorker
from cloud.settings import CloudSettings
from contracts.codec import decode_model, encode
from contracts.messages import Ack
from contracts.topics import ack_topic, event_topic
from tests.cloud.factories import T0, envelope, message, setup_store
from tests.support.services import MosquittoProcess

FAULT = {"code": "paper_out", "component": "printer"}
KIOSK = ("demo", "kiosk-1")


def _fault(seq: int, boot: int = 1, node: str = "kiosk-1") -> Inbound:
    return Inbound(*message(envelope("fault", FAULT, seq=seq, boot=boot, node=node)))


def _bad(seq: int, boot: int = 1, node: str = "kiosk-1") -> Inbound:
    """A well-formed envelope whose payload breaks the contract: a dead letter."""
    body = encode(envelope("fault", FAULT, seq=seq, boot=boot, node=node))
    body = body.replace(b'"code":"paper_out"', b'"code":""')
    return Inbound(event_topic("demo", node, "fault"), body)


def _floors(factory: sessionmaker[Session], *nodes: tuple[str, str]) -> list[Floor]:
    with transaction(factory) as s:
        return advance(s, list(nodes), T0 + timedelta(seconds=1))


@pytest.fixture
def pipe(session_factory: sessionmaker[Session]) -> Pipeline:
    with transaction(session_factory) as s:
        setup_store(s)
    return Pipeline(session_factory, clock=lambda: T0)


def test_a_gap_holds_the_floor_until_it_is_filled(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    assert _floors(session_factory, KIOSK) == []  # nothing applied: nothing to ack
    pipe.process([_fault(1), _fault(2), _fault(4), _fault(5)])
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 2)]
    pipe.process([_fault(3)])
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 5)]
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 5)]  # idempotent


def test_a_missing_first_event_holds_it_at_zero(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    pipe.process([_fault(2), _fault(3)])
    assert _floors(session_factory, KIOSK) == []


def test_dead_letters_that_say_whose_event_they_were_fill_gaps(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    pipe.process([_fault(1), _bad(2), _fault(4)])
    # garbage that names no seq, and another node's dead letter, fill nothing of ours
    garbage = Inbound(event_topic("demo", "kiosk-1", "fault"), b"\xff not json")
    pipe.process([garbage, _bad(3, node="kiosk-2")])
    with session_factory() as s:
        letters = s.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
        keys = [(d.node, d.boot, d.seq) for d in letters]
    assert keys == [("kiosk-1", 1, 2), (None, None, None), ("kiosk-2", 1, 3)]
    assert _floors(session_factory, KIOSK, ("demo", "kiosk-2")) == [Floor("demo", "kiosk-1", 1, 2)]
    pipe.process([_bad(3)])  # the node's own bad seq 3: dead-lettered, so the floor passes
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 4)]


def test_an_unregistered_nodes_events_are_dead_letters_with_their_seq(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    pipe.process([_fault(1, node="ghost-9"), _fault(2, node="ghost-9")])
    assert _floors(session_factory, ("demo", "ghost-9")) == [Floor("demo", "ghost-9", 1, 2)]


def test_the_floor_runs_across_boots_and_names_the_boot_of_its_event(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    pipe.process([_fault(1), _fault(2), _fault(3), _fault(5, boot=2)])
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 3)]
    pipe.process([_fault(4, boot=2), _fault(6, boot=3)])  # a new boot re-sends the old one's
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 3, 6)]


def test_the_floor_never_goes_down(pipe: Pipeline, session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as s:
        s.add(DeliveryFloor(store="demo", node="kiosk-1", boot=7, seq=10, updated_at=T0))
    pipe.process([_fault(1), _fault(2)])
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 7, 10)]
    pipe.process([_fault(11, boot=8)])
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 8, 11)]


def test_delivery_key_reads_only_what_is_safe_to_read() -> None:
    topic = event_topic("demo", "kiosk-1", "sale")
    key = delivery_key(topic, b'{"boot": 2, "seq": 9, "store": "other"}')
    assert key is not None
    assert (key.store, key.node, key.boot, key.seq) == ("demo", "kiosk-1", 2, 9)
    deep = b"[" * 100_000 + b"]" * 100_000
    for payload in (b'{"boot": true, "seq": 1}', b'{"boot": 1, "seq": 0}', b"[1]", deep):
        assert delivery_key(topic, payload) is None
    # too big or too deep to parse again: scanned, so the floor can pass it (issue 15)
    big = delivery_key(topic, b'{"boot": 1, "seq": 5, "x": "' + b"a" * 70_000 + b'"}')
    assert big is not None
    assert (big.boot, big.seq) == (1, 5)
    nested = delivery_key(topic, b'{"boot": 1, "seq": 6, "x": ' + b"[" * 40 + b"]" * 40 + b"}")
    assert nested is not None
    assert (nested.boot, nested.seq) == (1, 6)
    assert delivery_key("smartstore/v1/demo/kiosk-1/state", b'{"boot": 1, "seq": 1}') is None
    assert nodes_of([topic, topic, "nonsense", ack_topic("demo", "x")]) == [KIOSK]


def test_oversized_and_undecodable_dead_letters_do_not_stall_the_floor(
    pipe: Pipeline, session_factory: sessionmaker[Session]
) -> None:
    """Each is a dead letter with its reason, keyed by its own boot and seq, so the node's
    contiguous floor passes it and its re-sends stop (before: a 70 KB one held it forever)."""
    sale_topic = event_topic("demo", "kiosk-1", "fault")
    head = encode(envelope("fault", FAULT, seq=2))[:-1]
    oversized = head + b', "pad": "' + b"a" * 700_000 + b'"}'  # over the 512 KiB limit
    over_key = head + b', "pad": "' + b"b" * 70_000 + b'"}'  # over 64 KiB, under the limit
    bad_utf8 = encode(envelope("fault", FAULT, seq=4)).replace(b"paper_out", b"paper\xff")
    deep = encode(envelope("fault", FAULT, seq=5))[:-1] + b', "x": ' + b"[" * 1000
    deep += b"]" * 1000 + b"}"
    pipe.process([_fault(1), Inbound(sale_topic, oversized)])
    pipe.process([Inbound(sale_topic, over_key.replace(b'"seq":2', b'"seq":3'))])
    pipe.process([Inbound(sale_topic, bad_utf8), Inbound(sale_topic, deep), _fault(6)])
    with session_factory() as s:
        letters = s.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
        got = [(d.seq, d.reason.split(":")[0][:40]) for d in letters]
    assert [seq for seq, _ in got] == [2, 3, 4, 5], got
    assert all(reason for _, reason in got)
    assert _floors(session_factory, KIOSK) == [Floor("demo", "kiosk-1", 1, 6)]


def test_an_unparsed_message_s_key_comes_from_a_scan_only_when_unambiguous() -> None:
    """A message that killed workers is never parsed again: its boot and seq are scanned."""
    topic = event_topic("demo", "kiosk-1", "sale")
    big = b'{"boot": 3, "seq": 12, "x": "' + b"a" * 70_000 + b'"}'
    key = delivery_key(topic, big, parse=False)
    assert key is not None
    assert (key.store, key.node, key.boot, key.seq) == ("demo", "kiosk-1", 3, 12)
    for payload in (
        b'{"boot": 1, "seq": 2, "data": {"seq": 3}}',  # two seqs: whose is it?
        b'{"boot": 1, "seq": 2.5}',
        b'{"boot": 1, "note": "\\"seq\\": 4"}',  # only inside a string
        b'{"boot": 1, "seq": 0}',
        b"[[[[",
    ):
        assert delivery_key(topic, payload, parse=False) is None
    assert delivery_key("smartstore/v1/demo/kiosk-1/state", big, parse=False) is None


@pytest.mark.mosquitto
def test_a_worker_acks_each_node_after_its_batch_commits(
    mosquitto_broker: MosquittoProcess, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
    acks: list[Ack] = []
    got = threading.Event()
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        assert not msg.retain
        acks.append(decode_model(Ack, bytes(msg.payload)))
        if acks[-1].seq == 3:
            got.set()

    client.on_message = on_message
    client.connect(mosquitto_broker.host, mosquitto_broker.port)
    client.loop_start()
    client.subscribe(ack_topic(*KIOSK), qos=1)
    worker = IngestWorker(
        CloudSettings(mqtt_url=mosquitto_broker.url), session_factory, batch_size=8
    )
    worker.start()
    try:
        assert worker.wait_connected(10)
        for _ in range(20):  # as a node does: again until acked (the worker's SUBACK may lag)
            for seq in (1, 3, 2):
                topic, raw = message(envelope("fault", FAULT, seq=seq))
                client.publish(topic, raw, qos=1).wait_for_publish(5)
            if got.wait(1.0):
                break
        assert got.is_set(), f"acks so far: {acks}"
    finally:
        worker.stop()
        client.disconnect()
        client.loop_stop()
    seqs = [a.seq for a in acks]
    assert seqs == sorted(seqs)
    assert seqs[-1] == 3
    assert {a.boot for a in acks} == {1}
