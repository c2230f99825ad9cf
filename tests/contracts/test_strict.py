"""contracts.strict: the raw screen and the checks the models do not make."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.codec import decode_event
from contracts.exceptions import MessageError
from contracts.strict import Limits, body_digest, check_event, nesting_depth, screen
from tests.cloud.factories import envelope, message, sale_data

NOW = datetime(2026, 3, 2, 9, 31, tzinfo=UTC)


def test_nesting_depth_counts_brackets_outside_strings_only() -> None:
    assert nesting_depth(b'{"a": [1, {"b": []}, [], []]}', 4) == 4
    assert nesting_depth(b'{"a": "[[[[[[[[[[", "b": "\\\\"}', 2) == 1
    assert nesting_depth(b'{"a": "\\"[[[[[[[[[[\\"", "b": [[]]}', 3) == 3
    assert nesting_depth(b"[" * 1000 + b"]" * 1000, 32) == 33  # stops past the limit
    assert nesting_depth(b"[[[]]]", 32) == 3  # few brackets: counted, not scanned


def test_screen_refuses_size_depth_and_gzip_before_parsing() -> None:
    limits = Limits(max_bytes=1000, max_depth=4)
    screen(b'{"a": [[["ok"]]]}', limits)
    for raw, reason in (
        (b"x" * 1001, "exceeds the 1000 limit"),
        (b"[[[[[[]]]]]]", "deeper than 4"),
        (b"\x1f\x8b\x08\x00", "gzip"),
    ):
        with pytest.raises(MessageError, match=reason):
            screen(raw, limits)


def _event(mutate: Any = None) -> tuple[Any, bytes]:
    topic, raw = message(envelope("sale", sale_data(), seq=1))
    if mutate is not None:
        doc = json.loads(raw)
        mutate(doc)
        raw = json.dumps(doc).encode()
    return decode_event(topic, raw), raw


def _check(mutate: Any) -> None:
    event, raw = _event(mutate)
    check_event(event, NOW, Limits(max_extra_bytes=200), len(raw), raw)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["data"]["lines"][0].update(qty="-2"), "disagrees in sign"),
        (lambda d: d["data"]["lines"][0].update(qty=2), "qty must be a decimal string"),
        (lambda d: d["data"].update(completed_at="2099-01-01T00:00:00Z"), "completed_at"),
        (lambda d: d.update(ts="2026-03-02T09:40:00Z"), "more than 300 s in the future"),
        (lambda d: d["data"].update(blob="x" * 300), "unknown fields take"),
        (lambda d: d["data"]["lines"][0].update(note="x" * 300), "unknown fields take"),
        (lambda d: d.update(boot=2**31), "boot 2147483648 out of range"),
        (lambda d: d["data"].update(n=-(10**12)), "data.n: integer"),
    ],
)
def test_check_event_refuses_what_a_sound_node_never_sends(mutate: Any, reason: str) -> None:
    with pytest.raises(MessageError, match=reason):
        _check(mutate)


def test_a_sound_sale_passes_and_its_digest_ignores_historical() -> None:
    _check(None)
    event, _ = _event()
    resent, _ = _event(lambda d: d.update(historical=True))
    other, _ = _event(lambda d: d["data"].update(sale_id="S-2"))
    assert body_digest(event) == body_digest(resent)
    assert body_digest(event) != body_digest(other)
