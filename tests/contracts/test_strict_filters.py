"""contracts.strict's byte filters: they only decide whether a precise walk runs, so
:func:`check_event` with the raw bytes must refuse exactly what it refuses without them
(``raw=None`` runs every walk), on any message, hostile or not."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import assume, example, given
from hypothesis import strategies as st

from contracts.codec import decode_event
from contracts.exceptions import ContractError, MessageError
from contracts.messages import SaleData, ZReportData
from contracts.strict import LONG_INT, Limits, _decimal_as_other, check_event, may_hold_long_int
from tests.cloud.factories import envelope, message, sale_data
from tests.fuzz.strategies import FUZZ, json_values

NOW = datetime(2026, 3, 2, 9, 31, tzinfo=UTC)
ZREPORT = {
    "report_no": 3,
    "business_date": "2026-03-02",
    "opened_at": "2026-03-02T07:00:00Z",
    "closed_at": "2026-03-02T09:00:00Z",
    "sales_count": 2,
    "gross": "10.00",
    "discounts": "0.00",
    "tax": "1.15",
    "total": "10.00",
    "tenders": [{"method": "cash", "count": 2, "amount": "10.00"}],
    "providers": [{"provider": "cash", "count": 2, "amount": "10.00"}],
}
STOCK = {"lane": "a1", "sku": "SKU-0", "gtin": "06901234567892", "count": 3, "grams": "750"}
TEMPLATES = [
    json.loads(
        message(envelope("sale", sale_data("S-1", member={"phone": "13800000001"}), seq=1))[1]
    ),
    json.loads(message(envelope("zreport", ZREPORT, seq=1))[1]),
    json.loads(message(envelope("stock", {**STOCK, "state": "low"}, node="shelf-1", seq=1))[1]),
]
# the values that make the walks refuse: long integers, money as numbers, NaN
edgy = st.sampled_from([2**31 - 1, 2**31, -(2**31), 10**12, 12, 1.5, float("nan"), "1.00", None])
values = edgy | json_values
blanks = st.text(alphabet=" \t\n\r", max_size=3)


def _put(draw: st.DrawFn, obj: Any, depth: int = 0) -> Any:
    """Set or add one key somewhere in the document (money keys preferred) to a drawn value."""
    if isinstance(obj, list) and obj and depth < 6:
        i = draw(st.integers(0, len(obj) - 1))
        return [*obj[:i], _put(draw, obj[i], depth + 1), *obj[i + 1 :]]
    if not isinstance(obj, dict) or depth >= 6:
        return draw(values)
    keys = [*sorted(obj), "amount", "qty", "total", "discounts", "n"]
    key = draw(st.sampled_from(keys))
    if key in obj and draw(st.booleans()):
        return {**obj, key: _put(draw, obj[key], depth + 1)}
    return {**obj, key: draw(values)}


@st.composite
def raw_events(draw: st.DrawFn) -> tuple[str, bytes]:
    doc = draw(st.sampled_from(TEMPLATES))
    for _ in range(draw(st.integers(1, 3))):
        doc = {**doc, "data": _put(draw, doc["data"])}
    text = json.dumps(doc, separators=(draw(blanks) + "," + draw(blanks), ":" + draw(blanks)))
    if draw(st.booleans()):  # a key \u-escaped
        text = text.replace('"amount"', '"\\u0061mount"', 1)
    topic = f"smartstore/v1/{doc['store']}/{doc['node']}/evt/{doc['type']}"
    return topic, text.encode()


def _verdict(event: Any, raw: bytes | None, size: int) -> str | None:
    try:
        check_event(event, NOW, Limits(), size, raw)
    except MessageError as exc:
        return str(exc)
    return None


@FUZZ
@given(raw_events())
def test_check_event_refuses_with_its_filters_exactly_what_it_refuses_without(
    case: tuple[str, bytes],
) -> None:
    topic, raw = case
    try:
        event = decode_event(topic, raw)
    except ContractError:
        assume(False)
        return
    assert _verdict(event, raw, len(raw)) == _verdict(event, None, len(raw))


@FUZZ
@given(st.binary(max_size=60) | st.text('0123456789:[,- \t\n\r\x0b\x0c"a{', max_size=60))
@example(b'{"n": -1234567890}')
@example(b"[ \x0b-9999999999]")
def test_the_long_integer_filter_finds_every_match_of_the_regex(raw: bytes | str) -> None:
    data = raw.encode() if isinstance(raw, str) else raw
    if LONG_INT.search(data):
        assert may_hold_long_int(data)


def test_the_filters_pass_a_plain_sale_and_catch_what_they_must() -> None:
    _, raw = message(envelope("sale", sale_data("S-1", member={"phone": "13800000001"}), seq=1))
    assert b'"discounts":[' in raw  # a money key of the Z report, a list in a sale
    assert _decimal_as_other(SaleData)(raw) is None
    assert not may_hold_long_int(raw)  # GTINs and the phone are strings
    assert _decimal_as_other(SaleData)(raw.replace(b'"qty":"2"', b'"qty" : 2'))
    assert _decimal_as_other(ZReportData)(b'{"discounts":\t0}')
    assert may_hold_long_int(raw.replace(b'"boot":1', b'"boot": -12345678901'))
    assert not re.search(rb"[:\[,]\s*-?[0-9]{10}", raw)
