"""MQTT envelopes, payloads and topics: any input is decoded or refused with a reason, never
a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.codec import decode_event, decode_model, encode
from contracts.exceptions import ContractError, MessageError
from contracts.messages import Command, CommandResult, NodeState
from contracts.topics import event_topic, parse_topic
from tests.cloud.factories import envelope, message, sale_data
from tests.fuzz.strategies import (
    FUZZ,
    hostile_bytes,
    hostile_text,
    json_values,
    mutated_json,
    refused_with_reason,
)

VALID_TOPIC, VALID_RAW = message(envelope("sale", sale_data("S-fuzz"), seq=3))
VALID_DOC = json.loads(VALID_RAW)
segment = st.sampled_from(["demo", "kiosk-1", "evt", "sale", "+", "#", "", "smartstore", "v1"])
topics = (
    st.lists(segment | hostile_text, min_size=0, max_size=8).map("/".join)
    | st.just(VALID_TOPIC)
    | hostile_text
)


@FUZZ
@given(topic=topics, raw=hostile_bytes)
def test_decode_event_of_random_bytes_only_refuses(topic: str, raw: bytes) -> None:
    with pytest.raises(MessageError) as caught:
        decode_event(topic, raw)
    refused_with_reason(caught.value)


@FUZZ
@given(raw=mutated_json(VALID_DOC))
def test_decode_event_of_mutated_envelope_decodes_or_refuses(raw: bytes) -> None:
    try:
        event = decode_event(VALID_TOPIC, raw)
    except MessageError as exc:
        refused_with_reason(exc)
        return
    # whatever was accepted agrees with its topic and re-encodes to something accepted again
    assert (event.envelope.store, event.envelope.node) == ("demo", "kiosk-1")
    assert decode_event(VALID_TOPIC, encode(event.envelope)).envelope == event.envelope


@FUZZ
@given(data=json_values, event_type=st.sampled_from(["sale", "stock", "fault", "zreport", "nope"]))
def test_any_json_payload_in_a_valid_envelope_decodes_or_refuses(
    data: object, event_type: str
) -> None:
    doc = {**VALID_DOC, "type": event_type, "data": data}
    try:
        decode_event(event_topic("demo", "kiosk-1", event_type), json.dumps(doc).encode())
    except MessageError as exc:
        refused_with_reason(exc)


@FUZZ
@given(topic=topics)
def test_parse_topic_only_raises_contract_errors(topic: str) -> None:
    try:
        parse_topic(topic)
    except ContractError as exc:
        refused_with_reason(exc)


@FUZZ
@given(
    model=st.sampled_from([NodeState, Command, CommandResult]),
    raw=hostile_bytes | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_state_and_command_models_decode_or_refuse(model: type, raw: bytes) -> None:
    try:
        decode_model(model, raw)
    except MessageError as exc:
        refused_with_reason(exc)
