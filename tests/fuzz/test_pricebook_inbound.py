"""Price books and commands arriving at a node: applied, or refused with a reason and counted.

Covers ``contracts.pricebook.decode_pricebook`` and the node's inbound handlers
(``edge.inbound``): a hostile broker or a rogue publisher must never crash a kiosk.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.codec import encode
from contracts.exceptions import MessageError
from contracts.messages import Command, NodeState
from contracts.pricebook import (
    WIRE_MAGIC,
    PriceBook,
    Product,
    decode_pricebook,
    encode_pricebook,
)
from contracts.topics import command_topic, pricebook_topic
from edge.config import NodeIdentity
from edge.inbound import CommandRouter, Rejections, model_handler, pricebook_handler
from tests.fuzz.strategies import (
    FUZZ,
    hostile_bytes,
    hostile_text,
    json_values,
    mutated_json,
    refused_with_reason,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BOOK = PriceBook(
    store="demo",
    version=4,
    published_at=NOW,
    products=[Product(sku="A", name="Tea", gtins=["06901234567892"], price="3.50")],
)
BOOK_DOC = json.loads(BOOK.model_dump_json())
COMMAND_DOC = json.loads(encode(Command(command_id="c-1", name="tare", issued_at=NOW)))


@FUZZ
@given(
    raw=hostile_bytes | mutated_json(BOOK_DOC) | st.builds(lambda b: WIRE_MAGIC + b, hostile_bytes)
)
def test_decode_pricebook_decodes_or_refuses(raw: bytes) -> None:
    try:
        book = decode_pricebook(raw)
    except MessageError as exc:
        refused_with_reason(exc)
        return
    assert decode_pricebook(encode_pricebook(book)) == book


@FUZZ
@given(raw=mutated_json(BOOK_DOC), level=st.integers(1, 9))
def test_compressed_mutated_books_decode_or_refuse(raw: bytes, level: int) -> None:
    try:
        decode_pricebook(WIRE_MAGIC + gzip.compress(raw, compresslevel=level))
    except MessageError as exc:
        refused_with_reason(exc)


def test_regression_a_decompression_bomb_is_refused_not_inflated() -> None:
    """A few hundred KB on the wire that would inflate to >64 MiB on a Pi's small RAM."""
    bomb = WIRE_MAGIC + gzip.compress(b" " * (80 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000
    with pytest.raises(MessageError, match="too large"):
        decode_pricebook(bomb)


@FUZZ
@given(
    topic=st.sampled_from([pricebook_topic("demo"), pricebook_topic("other"), "x/y", ""]),
    raw=hostile_bytes | mutated_json(BOOK_DOC),
)
def test_pricebook_handler_never_raises(topic: str, raw: bytes) -> None:
    got: list[PriceBook] = []
    sink = Rejections()
    pricebook_handler("demo", got.append, sink)(topic, raw)
    assert len(got) + sink.count == 1
    for book in got:
        assert book.store == "demo"


@FUZZ
@given(
    topic=st.sampled_from(
        [
            command_topic("demo", "kiosk-1", "tare"),
            command_topic("demo", "kiosk-2", "tare"),
            command_topic("demo", "kiosk-1", "lock"),
            "smartstore/v1/demo/kiosk-1/cmd",
            "",
        ]
    )
    | hostile_text,
    raw=hostile_bytes
    | mutated_json(COMMAND_DOC)
    | json_values.map(lambda v: json.dumps(v).encode()),
    fails=st.booleans(),
)
def test_command_router_answers_or_rejects_never_raises(
    topic: str, raw: bytes, fails: bool
) -> None:
    sent: list[tuple[str, bytes]] = []

    def publish(t: str, p: bytes) -> bool:
        sent.append((t, p))
        return True

    def tare(_: Command) -> dict[str, Any]:
        if fails:
            raise RuntimeError("load cell busy")
        return {"ok": 1}

    router = CommandRouter(NodeIdentity(store="demo", node="kiosk-1"), publish, clock=lambda: NOW)
    router.register("tare", tare)
    router(topic, raw)
    assert sent or router.rejections.count == 1
    for t, _ in sent:
        assert t.startswith("smartstore/v1/demo/kiosk-1/cmd/")


@FUZZ
@given(raw=hostile_bytes | json_values.map(lambda v: json.dumps(v).encode()))
def test_model_handler_counts_rejections(raw: bytes) -> None:
    got: list[NodeState] = []
    sink = Rejections()
    model_handler(NodeState, lambda _t, m: got.append(m), sink)("t", raw)
    assert len(got) + sink.count == 1
