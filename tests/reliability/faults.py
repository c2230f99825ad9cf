"""What the soak's faults send or break outside the fleet's own processes: malformed
messages for the dead-letter store, and the database connections a ``pg_kill`` cuts."""

from __future__ import annotations

import random
import uuid

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from contracts.codec import encode, make_envelope
from contracts.topics import event_topic


def malformed_messages(rng: random.Random, codes: list[str]) -> list[tuple[str, bytes]]:
    """``(topic, payload)`` the cloud must keep as dead letters: bad JSON, an envelope spoofing
    another store, one from a rogue node, bytes that are not UTF-8; each tagged uniquely."""
    code = rng.choice(codes)
    other = rng.choice([c for c in codes if c != code] or ["zz"])
    tag = uuid.uuid4().hex
    sale_topic = event_topic(code, "kiosk-1", "sale")
    spoof = make_envelope(
        store=other,
        node="kiosk-1",
        boot=1,
        seq=1,
        event_type="fault",
        data={"code": "spoof", "component": tag},
    )
    rogue = make_envelope(
        store=code,
        node="rogue-1",
        boot=1,
        seq=1,
        event_type="fault",
        data={"code": "rogue", "component": tag},
    )
    return [
        (sale_topic, f'{{"event_id": "{tag}"'.encode()),
        (event_topic(code, "kiosk-1", "fault"), encode(spoof)),
        (event_topic(code, "rogue-1", "fault"), encode(rogue)),
        (sale_topic, b"\xff\xfe" + tag.encode()),
    ]


def publish(host: str, port: int, messages: list[tuple[str, bytes]]) -> None:
    """Each message at QoS 1 through a throwaway client, waiting for the broker's ack."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(host, port)
    client.loop_start()
    try:
        for topic, payload in messages:
            client.publish(topic, payload, qos=1).wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


def terminate_other_connections(db_url: str) -> int:
    """pg_terminate_backend of every other connection to the database; how many there were."""
    admin = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)
