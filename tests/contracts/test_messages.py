"""Messages: envelopes, payload validation, decoding against the topic, malformed input."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.codec import decode_event, decode_model, encode, json_schemas, make_envelope
from contracts.exceptions import MessageError
from contracts.messages import Envelope, NodeState, SaleData, ZReportData
from contracts.topics import event_topic

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def sale(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sale_id": "k1-0001",
        "completed_at": "2024-05-01T12:00:00Z",
        "currency": "CNY",
        "lines": [
            {
                "gtin": "06901234567892",
                "name": "Tea",
                "qty": "2",
                "unit_price": "3.50",
                "amount": "7.00",
                "discounts": [{"promotion": "p1", "amount": "1.00"}],
            }
        ],
        "subtotal": "7.00",
        "discount_total": "1.00",
        "tax_total": "0.69",
        "total": "6.00",
        "tenders": [{"method": "cash", "amount": "10.00"}],
        "change": "4.00",
    }
    base.update(over)
    return base


def envelope(event_type: str = "sale", data: dict[str, Any] | None = None, **kw: Any) -> Envelope:
    return make_envelope(
        store="demo",
        node="kiosk-1",
        boot=2,
        seq=7,
        event_type=event_type,
        data=data if data is not None else sale(),
        ts=T0,
        **kw,
    )


def test_sale_round_trips_through_topic_decoding() -> None:
    env = envelope()
    event = decode_event(event_topic("demo", "kiosk-1", "sale"), encode(env))
    assert event.envelope == env
    assert isinstance(event.payload, SaleData)
    assert event.payload.total == Decimal("6.00")
    wire = json.loads(encode(env))
    assert wire["ts"] == "2024-05-01T12:00:00.000Z"
    assert wire["data"]["total"] == "6.00"
    assert wire["historical"] is False


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"total": "5.00"}, "total"),
        ({"change": "3.00"}, "tenders"),
        ({"subtotal": "8.00", "total": "7.00", "change": "3.00"}, "subtotal"),
        ({"lines": []}, "lines"),
        ({"currency": "cny"}, "currency"),
        ({"total": 6.0}, "floats"),
    ],
)
def test_unbalanced_or_malformed_sales_are_refused(over: dict[str, Any], reason: str) -> None:
    with pytest.raises(MessageError, match=reason):
        envelope(data=sale(**over))


def test_extra_payload_fields_are_kept_but_the_envelope_is_closed() -> None:
    env = envelope(data=sale(kiosk_note="hello"))
    assert env.data["kiosk_note"] == "hello"
    raw = json.loads(encode(env))
    raw["surprise"] = 1
    with pytest.raises(MessageError, match="surprise"):
        decode_model(Envelope, json.dumps(raw))


@pytest.mark.parametrize(
    ("topic", "raw", "reason"),
    [
        ("smartstore/v1/demo/kiosk-2/evt/sale", None, "disagrees with topic"),
        ("smartstore/v1/other/kiosk-1/evt/sale", None, "disagrees with topic"),
        ("smartstore/v1/demo/kiosk-1/evt/void", None, "disagrees with topic"),
        ("smartstore/v1/demo/kiosk-1/state", None, "not an event topic"),
        ("bogus/topic", None, "not a smartstore"),
        ("smartstore/v1/demo/kiosk-1/evt/sale", b"{", "not valid JSON"),
        ("smartstore/v1/demo/kiosk-1/evt/sale", b"\xff\xfe\x00", "JSON"),
        ("smartstore/v1/demo/kiosk-1/evt/sale", b"[]", "invalid Envelope"),
    ],
)
def test_decode_event_names_the_reason(topic: str, raw: bytes | None, reason: str) -> None:
    with pytest.raises(MessageError, match=reason):
        decode_event(topic, raw if raw is not None else encode(envelope()))


def test_unknown_type_and_newer_schema_are_refused() -> None:
    with pytest.raises(MessageError, match="unknown event type"):
        envelope(event_type="teleport", data={})
    raw = json.loads(encode(envelope()))
    raw["v"] = 99
    with pytest.raises(MessageError, match="newer"):
        decode_event(event_topic("demo", "kiosk-1", "sale"), json.dumps(raw))
    raw = json.loads(encode(envelope()))
    raw["type"] = "teleport"
    with pytest.raises(MessageError, match="unknown event type"):
        decode_event(event_topic("demo", "kiosk-1", "teleport"), json.dumps(raw))


def test_times_are_utc_and_naive_times_are_refused() -> None:
    shanghai = timezone(timedelta(hours=8))
    env = (
        envelope(ts=None)
        if False
        else make_envelope(
            store="demo",
            node="kiosk-1",
            boot=1,
            seq=1,
            event_type="sale",
            data=sale(),
            ts=datetime(2024, 5, 1, 20, 0, tzinfo=shanghai),
        )
    )
    assert env.ts == T0
    with pytest.raises(MessageError, match="completed_at"):
        envelope(data=sale(completed_at="2024-05-01T12:00:00"))


@given(st.binary(max_size=200))
def test_decoding_arbitrary_bytes_raises_only_message_error(raw: bytes) -> None:
    try:
        decode_event(event_topic("demo", "kiosk-1", "sale"), raw)
    except MessageError:
        return
    raise AssertionError("random bytes decoded as an event")


@given(
    st.fixed_dictionaries(
        {
            "online": st.booleans(),
            "boot": st.integers(0, 2**31),
            "outbox_depth": st.integers(0, 10**6),
        }
    )
)
def test_node_state_round_trips(data: dict[str, Any]) -> None:
    state = NodeState(**data)
    assert decode_model(NodeState, encode(state)) == state


def test_json_schemas_cover_every_message() -> None:
    schemas = json_schemas()
    assert {"envelope", "state", "command", "command_result", "evt/sale", "evt/stock"} <= set(
        schemas
    )
    assert schemas["evt/sale"]["properties"]["total"]["type"] == "string"
    assert uuid.UUID(str(envelope().event_id))


def zreport(**over: Any) -> dict[str, Any]:
    """A Z report as a node older than refunds on the Z report sends it."""
    base: dict[str, Any] = {
        "report_no": 3,
        "business_date": "2024-05-01",
        "opened_at": "2024-05-01T00:00:00Z",
        "closed_at": "2024-05-01T20:00:00Z",
        "sales_count": 1,
        "gross": "10.00",
        "discounts": "0",
        "tax": "1.15",
        "total": "10.00",
        "change": "10.00",
        "tenders": [{"method": "cash", "count": 1, "amount": "20.00"}],
        "cash_expected": "10.00",
        "sale_ids": ["k1-0001"],
    }
    return base | over


def test_zreport_refunds_are_optional_and_an_old_report_says_it_did_not_count_them() -> None:
    old = ZReportData.model_validate(zreport())
    assert (old.refunds, old.refunds_count, old.refunds_total, old.return_ids) == (
        None,
        0,
        Decimal(0),
        [],
    )
    assert ZReportData.model_validate_json(old.model_dump_json()).refunds is None  # as stored
    new = ZReportData.model_validate(
        zreport(
            refunds=[
                {"method": "card", "count": 1, "amount": "4.00"},
                {"method": "cash", "count": 2, "amount": "3.50"},
            ],
            refunds_count=2,
            refunds_total="7.50",
            return_ids=["r1", "r2"],
            cash_expected="6.50",
        )
    )
    env = make_envelope(store="s1", node="k1", boot=1, seq=1, event_type="zreport", data=new, ts=T0)
    decoded = decode_event(event_topic("s1", "k1", "zreport"), encode(env))
    assert decoded.payload == new
    assert json.loads(encode(env))["data"]["refunds_total"] == "7.50"


def test_zreport_refunds_total_must_add_up() -> None:
    bad = zreport(refunds=[{"method": "cash", "count": 1, "amount": "3.50"}], refunds_total="3.00")
    with pytest.raises(ValueError, match="refunds_total"):
        ZReportData.model_validate(bad)
