"""The cloud ingest pipeline under hostile batches: every message is applied or dead-lettered
with a reason; nothing raises out of ``Pipeline.process`` (which would stall the worker)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker, transaction
from cloud.db.sqlite import use_immediate_transactions
from cloud.ingest.models import DeadLetter, ProcessedEvent
from cloud.ingest.pipeline import Inbound, Pipeline
from contracts.codec import decode_event
from contracts.exceptions import ContractError
from contracts.topics import event_topic, state_topic
from tests.cloud.factories import envelope, message, sale_data, setup_store
from tests.fuzz.strategies import FUZZ, hostile_bytes, json_values, mutated_json

TEMPLATES = [
    json.loads(
        message(envelope("sale", sale_data("S-t", member={"phone": "13800000001"}), seq=1))[1]
    ),
    json.loads(
        message(
            envelope(
                "stock",
                {
                    "lane": "a1",
                    "sku": "SKU-0",
                    "gtin": "06901234567892",
                    "count": 3,
                    "grams": "750",
                    "state": "low",
                },
                seq=1,
                node="shelf-1",
            )
        )[1]
    ),
    json.loads(message(envelope("fault", {"code": "x", "component": "printer"}, seq=1))[1]),
]


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    path: Path = tmp_path_factory.mktemp("ingest-fuzz") / "cloud.sqlite3"
    engine = use_immediate_transactions(make_engine(f"sqlite:///{path}"))
    load_models().create_all(engine)
    made = make_sessionmaker(engine)
    with transaction(made) as s:
        setup_store(s)
    yield made
    engine.dispose()


@st.composite
def inbound(draw: st.DrawFn) -> Inbound:
    doc = dict(draw(st.sampled_from(TEMPLATES)))
    seq = draw(st.integers(1, 2**40))
    doc["seq"], doc["event_id"] = seq, str(draw(st.uuids()))
    if doc["data"].get("sale_id"):
        doc["data"] = {**doc["data"], "sale_id": f"S-fuzz-{seq}"}
    topic = event_topic(doc["store"], doc["node"], doc["type"])
    kind = draw(st.sampled_from(["valid", "mutated", "mutated", "garbage", "odd_topic"]))
    if kind == "valid":
        return Inbound(topic, json.dumps(doc).encode())
    if kind == "mutated":
        return Inbound(topic, draw(mutated_json(doc)))
    if kind == "garbage":
        return Inbound(topic, draw(hostile_bytes))
    odd = draw(
        st.sampled_from(
            [
                "smartstore/v1/demo/kiosk-1/evt/",
                "smartstore/v1/demo/kiosk-9/evt/sale",
                "smartstore/v1//kiosk-1/evt/sale",
                "smartstore/v2/demo/kiosk-1/evt/sale",
                "smartstore/v1/demo/kiosk-1/evt/sale/extra",
                state_topic("demo", "kiosk-1"),
                "smartstore/v1/demo/kiosk-1/evt/" + "x" * 300,
            ]
        )
    )
    payload = draw(hostile_bytes | json_values.map(lambda v: json.dumps(v).encode()))
    return Inbound(odd, payload)


@FUZZ
@given(batch=st.lists(inbound(), min_size=1, max_size=12))
def test_every_message_is_applied_or_dead_lettered_with_a_reason(
    factory: sessionmaker[Session], batch: list[Inbound]
) -> None:
    pipeline = Pipeline(factory)
    pipeline.process(batch)  # must not raise
    with factory() as s:
        letters = {bytes(d.payload): d.reason for d in s.scalars(select(DeadLetter))}
        seen_keys: set[tuple[str, str, int]] = set()
        seen_ids: set[uuid.UUID] = set()
        for msg in batch:
            if msg.topic.startswith("smartstore/v1/demo/kiosk-1/state"):
                continue  # a bad node state is logged and ignored, not an event
            try:
                env = decode_event(msg.topic, msg.payload).envelope
            except ContractError:
                assert msg.payload in letters, f"rejected message not kept: {msg.payload[:80]!r}"
                assert letters[msg.payload].strip()
                continue
            if env.node == "kiosk-9":
                assert msg.payload in letters
                continue
            # applied now, or a duplicate (same event id, or same node seq) of one applied before
            applied = s.scalar(
                select(ProcessedEvent.id).where(
                    (ProcessedEvent.event_id == str(env.event_id))
                    | (
                        (ProcessedEvent.store == env.store)
                        & (ProcessedEvent.node == env.node)
                        & (ProcessedEvent.seq == env.seq)
                    )
                )
            )
            key = (env.store, env.node, env.seq)
            # A second event claiming an id or a (node, seq) already taken in this batch is a
            # duplicate by definition (idempotency keys), not a rejection.
            twin = key in seen_keys or env.event_id in seen_ids
            seen_keys.add(key)
            seen_ids.add(env.event_id)
            assert applied is not None or twin or msg.payload in letters


def test_sql_metacharacters_in_events_are_stored_as_data(factory: sessionmaker[Session]) -> None:
    """Every write is parameterised (SQLAlchemy, COPY, unnest): a hostile sale id, line name
    or fault message is data, never SQL."""
    from cloud.sales.models import Sale, SaleLine

    evil = "x'); DROP TABLE sales; --"
    data = sale_data(evil)
    data["lines"][0]["name"] = "Robert'); DELETE FROM sale_lines; --"
    sale = envelope("sale", data, seq=2**41)
    fault = envelope(
        "fault", {"code": "a' OR '1'='1", "component": "p;--", "message": evil}, seq=2**41 + 1
    )
    Pipeline(factory).process([Inbound(*message(sale)), Inbound(*message(fault))])
    with factory() as s:
        row = s.scalars(select(Sale).where(Sale.sale_id == evil)).one()
        names = s.scalars(select(SaleLine.name).where(SaleLine.sale_pk == row.id)).all()
    assert "Robert'); DELETE FROM sale_lines; --" in names
    assert len(names) == len(data["lines"])
