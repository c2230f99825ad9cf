"""A stand-in cloud for the outbox drain bench: acks what it receives, end to end (SPEC §4).

    .venv/bin/python -m bench.acker PORT [STORE NODE]

Subscribes to one node's events (QoS 1) and, every 10 ms, publishes on the node's ``.../ack``
the highest seq below which it has received every event, as the cloud ingest does after each
batch commit; a copy of an event already acked triggers the ack again. It runs in its own
process so the bench's node does not share a GIL with it, and does no database work: the
bench measures the node's side of the protocol, not the cloud's (bench.ingest does that).
"""

from __future__ import annotations

import json
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from contracts.codec import encode
from contracts.messages import Ack
from contracts.topics import ack_topic, events_filter

ACK_EVERY_S = 0.01


class Acker:
    def __init__(self, store: str, node: str) -> None:
        self.topic = ack_topic(store, node)
        self.seen: set[int] = set()
        self.floor = 0
        self.boot = 0
        self.due = False
        self.lock = threading.Lock()

    def on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        body = json.loads(msg.payload)
        with self.lock:
            seq = int(body["seq"])
            self.seen.add(seq)
            while self.floor + 1 in self.seen:
                self.floor += 1
                self.seen.discard(self.floor)
                self.boot = int(body["boot"])
                self.due = True
            if seq <= self.floor:
                self.due = True

    def run(self, client: mqtt.Client) -> None:
        while True:
            time.sleep(ACK_EVERY_S)
            with self.lock:
                due, floor, boot = self.due, self.floor, self.boot
                self.due = False
            if due:
                client.publish(self.topic, encode(Ack(boot=boot, seq=floor)), qos=1)


def main(argv: list[str]) -> None:
    port = int(argv[0])
    store, node = (argv[1], argv[2]) if len(argv) >= 3 else ("demo", "kiosk-1")
    acker = Acker(store, node)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="bench-acker", protocol=MQTTProtocolVersion.MQTTv5
    )
    client.on_message = acker.on_message
    client.on_connect = lambda c, *_: c.subscribe(events_filter(store, node), qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    print("ready", flush=True)
    acker.run(client)


if __name__ == "__main__":
    main(sys.argv[1:])
