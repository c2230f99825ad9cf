"""The sale fast path (contracts.fastsale) never changes a verdict: whatever it accepts the
pydantic models accept with an equal event (values, types, time zones, fields set,
extras), and whatever it declines goes to the models, which give the reason. Hypothesis
generates valid sales and then breaks them one field at a time."""

from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from contracts.codec import Event, decode_event, decode_event_from, decode_event_models
from contracts.exceptions import MessageError
from contracts.fastsale import decode_sale
from contracts.messages import SaleData
from contracts.strict import _numbers_are_strings
from contracts.topics import event_topic, parse_topic

TOPIC = event_topic("demo", "kiosk-1", "sale")

cents = st.integers(min_value=0, max_value=10**7).map(lambda c: Decimal(c) / 100)
qty = st.sampled_from(["1", "2", "0.250", "1.5", "10"])


@st.composite
def sale(draw: st.DrawFn) -> dict[str, Any]:
    lines = []
    for i in range(draw(st.integers(1, 4))):
        price = draw(cents)
        q = Decimal(draw(qty))
        line: dict[str, Any] = {
            "gtin": f"{69000000000000 + i:014d}",
            "name": draw(st.sampled_from(["Milk", "米饭", "x" * 200, "a b"])),
            "qty": str(q),
            "unit_price": str(price),
            "amount": str(price * q),
        }
        if draw(st.booleans()):
            line["discounts"] = [{"promotion": "P1", "amount": "0.50"}] * draw(st.integers(0, 2))
        lines.append(line)
    subtotal = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))
    inclusive = draw(st.booleans())
    tax = draw(cents)
    total = subtotal if inclusive else subtotal + tax
    change = draw(cents)
    tender: dict[str, Any] = {"method": draw(st.sampled_from(["cash", "card", "points"]))}
    tender["amount"] = str(total + change)
    if draw(st.booleans()):
        tender["reference"] = draw(st.sampled_from(["", "T-1"]))
    data: dict[str, Any] = {
        "sale_id": draw(st.sampled_from(["S-1", "s"])),
        "completed_at": draw(
            st.sampled_from(
                [
                    "2026-03-02T09:30:00Z",
                    "2026-03-02T09:30:00.123+08:00",
                    "2026-03-02T23:59:59-05:30",
                ]
            )
        ),
        "currency": "CNY",
        "lines": lines,
        "subtotal": str(subtotal),
        "discount_total": "0",
        "tax_total": str(tax),
        "total": str(total),
        "tenders": [tender],
        "change": str(change),
    }
    member = draw(
        st.sampled_from([None, "absent", {"phone": "+8613800000001"}, {"card": "CARD-0001"}])
    )
    if member != "absent":
        data["member"] = member
    if draw(st.booleans()):
        data["tax_inclusive"] = inclusive
    elif not inclusive:
        data["tax_inclusive"] = False
    if draw(st.booleans()):
        data["coupons"] = ["C-1"]  # a field the kiosk adds: kept as an extra
    env: dict[str, Any] = {
        "event_id": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))),
        "store": "demo",
        "node": "kiosk-1",
        "boot": draw(st.integers(0, 5)),
        "seq": draw(st.integers(1, 10**6)),
        "ts": "2026-03-02T09:30:00.000Z",
        "type": "sale",
        "data": data,
    }
    if draw(st.booleans()):
        env["v"] = 1
    if draw(st.booleans()):
        env["historical"] = draw(st.booleans())
    return env


NASTY: list[Any] = [
    None,
    True,
    0,
    1,
    -1,
    1.5,
    2**70,
    "",
    " ",
    "1",
    "1.50",
    " 1.50 ",
    "-0",
    "+5",
    ".5",
    "5.",
    "1e3",
    "1E-2",
    "NaN",
    "-Infinity",
    "sNaN",
    "1_000",
    "١٢",
    "0x10",
    "abc",
    [],
    {},
    ["x"],
    {"phone": "13800000001"},
    {"card": "ab"},
    {"phone": "12345", "card": "CARD-1"},
    "2026-03-02T09:30:00",
    "2026-03-02T09:30:00.1234567Z",
    "2026-03-02 09:30:00Z",
    "2026-03-02t09:30:00z",
    "2026-03-02T09:30:00+24:00",
    "2026-03-02T09:30:00+23:59",
    "2026-02-30T00:00:00Z",
    "2026-03-02T09:30:60Z",
    "1772443800",
    1772443800,
    "kiosk-1\n",
    "demo",
    "kiosk-2",
    "06901234567892",
    "0690123456789\n",
    "０６９０１２３４５６７８９２",
    "CNY",
    "cny",
    "cash",
    "gift",
    "sale",
    "void",
    "x" * 201,
    "12345678123456781234567812345678",
    "{12345678-1234-5678-1234-567812345678}",
    "12345678-1234-5678-1234-56781234567A",
    "urn:uuid:12345678-1234-5678-1234-567812345678",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(env: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(env)))
    parent: Any = env
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
    if action == "replace":
        parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(NASTY) | st.text(max_size=5)))
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        # a copy: a second mutation may edit the value in place, and NASTY must not change
        # between examples (hypothesis saw FlakyStrategyDefinition when it did)
        parent[data.draw(st.sampled_from(["extra", "amount", "v"]))] = copy.deepcopy(
            data.draw(st.sampled_from(NASTY))
        )


def _same_model(a: Any, b: Any) -> None:
    """Equal, and built alike: type, fields set and extras at every level."""
    assert type(a) is type(b)
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set
        assert a.__pydantic_extra__ == b.__pydantic_extra__
        for name in type(a).model_fields:
            _same_model(getattr(a, name), getattr(b, name))
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same_model(x, y)
    else:
        assert repr(a) == repr(b)  # Decimal('1.50') vs Decimal('1.5'), tzinfo


def _reference(raw: bytes) -> tuple[Event | None, str | None]:
    try:
        return decode_event_models(TOPIC, raw), None
    except MessageError as exc:
        return None, str(exc)


def _public(raw: bytes) -> tuple[Event | None, str | None]:
    try:
        return decode_event(TOPIC, raw), None
    except MessageError as exc:
        return None, str(exc)


def _check(raw: bytes) -> bool:
    """True when the fast path took the message; asserts it agrees with the models."""
    fast = decode_sale("demo", "kiosk-1", raw)
    ref, reason = _reference(raw)
    public, public_reason = _public(raw)
    assert public_reason == reason  # the same verdict and reason through the public function
    if ref is None:
        assert fast is None, f"fast path accepted what the models refuse: {reason}"
        return False
    if fast is not None:
        _same_model(fast, ref)
        assert fast == ref
        # what check_event's money_typed relies on: no money field of a sale it took is a
        # JSON number (the walk it skips would pass)
        _numbers_are_strings(fast.envelope.data, SaleData)
        assert decode_event_from(parse_topic(TOPIC), TOPIC, raw)[1]
    _same_model(public, ref)
    return fast is not None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sale())
def test_plain_valid_sales_take_the_fast_path_and_equal_the_models(env: dict[str, Any]) -> None:
    assert _check(json.dumps(env).encode())


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(sale(), st.data())
def test_broken_sales_get_the_models_verdict(env: dict[str, Any], data: st.DataObject) -> None:
    for _ in range(data.draw(st.integers(1, 2))):
        _mutate(env, data)
    _check(json.dumps(env, ensure_ascii=data.draw(st.booleans())).encode())


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_pass_the_fast_path_wrongly(raw: bytes) -> None:
    _check(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"store": "demo", "node": "kiosk-1", "data": {}}',
        b"\xef\xbb\xbf{}",
        '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),
        b"[]",
        b'{"event_id": 1e400}',
    ],
)
def test_odd_bytes_are_left_to_the_models(raw: bytes) -> None:
    assert not _check(raw)
