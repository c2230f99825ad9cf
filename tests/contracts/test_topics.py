"""Topics: builders and the parser agree, and bad ids never pass (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.exceptions import TopicError
from contracts.topics import (
    CLOUD_STATE_TOPIC,
    ParsedTopic,
    TopicKind,
    command_result_topic,
    command_topic,
    commands_filter,
    event_topic,
    events_filter,
    parse_topic,
    pricebook_topic,
    shared,
    state_topic,
)

ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,31}\Z")
names = st.from_regex(r"\A[a-z][a-z0-9_]{0,31}\Z")


@given(store=ids, node=ids, name=names)
def test_every_builder_round_trips_through_the_parser(store: str, node: str, name: str) -> None:
    assert parse_topic(state_topic(store, node)) == ParsedTopic(TopicKind.STATE, store, node)
    assert parse_topic(event_topic(store, node, name)) == ParsedTopic(
        TopicKind.EVENT, store, node, name
    )
    assert parse_topic(command_topic(store, node, name)) == ParsedTopic(
        TopicKind.COMMAND, store, node, name
    )
    res = parse_topic(command_result_topic(store, node, name))
    assert res == ParsedTopic(TopicKind.COMMAND_RESULT, store, node, name)
    assert parse_topic(pricebook_topic(store)) == ParsedTopic(TopicKind.PRICEBOOK, store)


@given(st.text(max_size=60))
def test_parser_only_raises_topic_error(topic: str) -> None:
    try:
        parsed = parse_topic(topic)
    except TopicError:
        return
    assert parsed.kind in TopicKind


@pytest.mark.parametrize("bad", ["", "Demo", "-x", "a" * 33, "a/b", "+", "#", "a b", "é"])
def test_bad_ids_are_refused(bad: str) -> None:
    with pytest.raises(TopicError):
        state_topic(bad, "kiosk-1")
    with pytest.raises(TopicError):
        event_topic("demo", bad, "sale")


@pytest.mark.parametrize(
    "topic",
    [
        "other/v1/demo/kiosk-1/state",
        "smartstore/v1/demo",
        "smartstore/v1/demo/kiosk-1/evt",
        "smartstore/v1/demo/kiosk-1/evt/Sale",
        "smartstore/v1/demo/kiosk-1/cmd/lock/oops",
        "smartstore/v1/demo/kiosk-1/unknown",
        "smartstore/v1/DEMO/kiosk-1/state",
    ],
)
def test_malformed_topics_name_their_reason(topic: str) -> None:
    with pytest.raises(TopicError, match=r"\S"):
        parse_topic(topic)


def test_filters_and_cloud_state() -> None:
    assert parse_topic(CLOUD_STATE_TOPIC).kind is TopicKind.CLOUD_STATE
    assert events_filter() == "smartstore/v1/+/+/evt/+"
    assert events_filter("demo", "kiosk-1", "sale") == "smartstore/v1/demo/kiosk-1/evt/sale"
    assert commands_filter("demo", "kiosk-1") == "smartstore/v1/demo/kiosk-1/cmd/+"
    assert shared("ingest", events_filter()) == "$share/ingest/smartstore/v1/+/+/evt/+"
    with pytest.raises(TopicError):
        events_filter("#")
