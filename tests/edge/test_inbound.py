"""Malformed inbound messages are rejected with a logged reason; the link keeps running."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.codec import decode_model, encode
from contracts.messages import Ack, Command, CommandResult
from contracts.pricebook import PriceBook, encode_pricebook
from contracts.topics import (
    ack_topic,
    command_result_topic,
    command_topic,
    commands_filter,
    pricebook_topic,
)
from edge.config import MqttSettings, NodeIdentity, OutboxSettings
from edge.inbound import CommandRouter, Rejections, model_handler, pricebook_handler
from edge.link import Link
from edge.outbox import Outbox
from tests.edge.test_link import Watcher
from tests.integration.edge_consumer import wait_for
from tests.support.services import MosquittoProcess

ID = NodeIdentity(store="demo", node="kiosk-1")
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def command(name: str, **kw: Any) -> bytes:
    return encode(Command(command_id=f"c-{name}", name=name, issued_at=NOW, **kw))


def book(store: str = "demo") -> PriceBook:
    return PriceBook(store=store, version=3, published_at=NOW)


class Replies:
    def __init__(self) -> None:
        self.sent: list[tuple[str, CommandResult]] = []

    def __call__(self, topic: str, payload: bytes) -> bool:
        self.sent.append((topic, decode_model(CommandResult, payload)))
        return True


def test_command_router_answers_and_rejects(caplog: pytest.LogCaptureFixture) -> None:
    replies = Replies()
    router = CommandRouter(ID, replies, clock=lambda: NOW)
    router.register("lock", lambda c: {"locked": True})
    router.register("tare", lambda c: 1 / 0)  # type: ignore[arg-type, return-value]
    lock = command_topic("demo", "kiosk-1", "lock")
    caplog.set_level(logging.WARNING)

    router(lock, command("lock"))
    router(lock, b"{not json")
    router(lock, command("tare"))  # name disagrees with the topic
    router(command_topic("demo", "kiosk-1", "reboot"), command("reboot"))  # unknown
    router(lock, command("lock", expires_at=NOW - timedelta(seconds=1)))
    router(command_topic("demo", "kiosk-2", "lock"), command("lock"))  # not us
    router("smartstore/v1/demo/kiosk-1/cmd/BAD", command("lock"))
    router(command_topic("demo", "kiosk-1", "tare"), command("tare"))  # raises inside

    results = [(t.rsplit("/", 2)[-2], r.ok, r.error) for t, r in replies.sent]
    assert results[0] == ("lock", True, None)
    assert replies.sent[0][1].result == {"locked": True}
    assert [ok for _, ok, _ in results] == [True, False, False, False, False]
    assert "disagrees with topic" in (results[1][2] or "")
    assert "unknown command 'reboot'" in (results[2][2] or "")
    assert "expired" in (results[3][2] or "")
    assert "ZeroDivisionError" in (results[4][2] or "")
    assert router.rejections.count == 6
    text = caplog.text
    for reason in ("not valid JSON", "not us", "invalid command", "unknown command"):
        assert reason in text
    assert replies.sent[0][0] == command_result_topic("demo", "kiosk-1", "lock")


def test_pricebook_and_model_handlers_reject_bad_input(caplog: pytest.LogCaptureFixture) -> None:
    books: list[PriceBook] = []
    rejections = Rejections()
    handle = pricebook_handler("demo", books.append, rejections)
    topic = pricebook_topic("demo")
    handle(topic, encode_pricebook(book()))
    handle(topic, b"SSPB1\ngarbage")
    handle(topic, encode_pricebook(book("other")))
    handle(pricebook_topic("other"), encode_pricebook(book("other")))
    handle(topic, json.dumps({"store": "demo"}).encode())
    assert [b.version for b in books] == [3]
    assert rejections.count == 4
    assert "price book for store 'other'" in caplog.text

    seen: list[Command] = []
    typed = model_handler(Command, lambda t, c: seen.append(c), rejections)
    typed("x", command("lock"))
    typed("x", b"\xff\xfe")
    assert len(seen) == 1
    assert rejections.count == 5


@pytest.mark.mosquitto
def test_link_keeps_running_through_malformed_inbound(
    mosquitto_broker: MosquittoProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = OutboxSettings(path=tmp_path / "o.sqlite3", ack_timeout=60.0)  # no re-sends
    outbox = Outbox.open(settings.path, "demo", "kiosk-1", settings)
    link = Link(MqttSettings(url=mosquitto_broker.url), ID, outbox, kind="kiosk")
    router = CommandRouter(ID, lambda t, p: link.publish_now(t, p))
    router.register("lock", lambda c: {"locked": True})
    books: list[PriceBook] = []
    link.route(commands_filter("demo", "kiosk-1"), router)
    link.route(pricebook_topic("demo"), pricebook_handler("demo", books.append))
    link.start()
    watcher = Watcher(mosquitto_broker.host, mosquitto_broker.port, "5")
    watcher.client.subscribe("smartstore/v1/demo/kiosk-1/cmd/+/res", 1)
    lock = command_topic("demo", "kiosk-1", "lock")
    try:
        wait_for(lambda: link.connected, 10, "connect")
        # "connected" comes with the CONNACK, the subscriptions a moment later (SUBACK): a
        # first valid price book, re-sent until it arrives, shows they are in place.
        # (One SUBACK covers every topic of the link.)
        for _ in range(50):
            watcher.publish(pricebook_topic("demo"), encode_pricebook(book()))
            time.sleep(0.2)
            if books:
                break
        assert books, "the link never subscribed"
        time.sleep(0.3)  # a copy still in flight lands before the clear
        books.clear()
        for bad in (
            b"",
            b"{",
            b"[1,2]",
            command("tare"),
            b'{"command_id": "c", "name": "lock", "args": [1],'
            b' "issued_at": "2024-05-01T12:00:00Z"}',
        ):
            watcher.publish(lock, bad)
        watcher.publish(command_topic("demo", "kiosk-1", "unknown"), command("unknown"))
        watcher.publish(pricebook_topic("demo"), b"\x00\x01 not a price book")
        watcher.publish(lock, command("lock"))
        watcher.publish(pricebook_topic("demo"), encode_pricebook(book()))
        wait_for(lambda: len(books) == 1, 10, "the valid price book")
        wait_for(
            lambda: any(
                m.topic.endswith("/lock/res") and decode_model(CommandResult, bytes(m.payload)).ok
                for m in watcher.messages
            ),
            10,
            "the valid command's result",
        )
        acks = ack_topic("demo", "kiosk-1")
        for bad in (b"{", b'{"boot": 1, "seq": -1}', b'{"boot": "x", "seq": 1}', b"\xff"):
            watcher.publish(acks, bad)
        outbox.emit("fault", {"code": "still", "component": "link"})
        wait_for(lambda: outbox.stats()["sent"] >= 1, 10, "events still flowing")
        watcher.publish(acks, encode(Ack(boot=1, seq=1)))
        wait_for(lambda: outbox.depth() == 0, 10, "the valid ack applied")
        assert "ignoring malformed ack" in caplog.text
        assert link.connected
        assert router.rejections.count == 6
        assert "price book is not readable" in caplog.text
    finally:
        link.stop()
        outbox.close()
        watcher.close()
