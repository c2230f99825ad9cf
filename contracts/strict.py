"""Checks an inbound event must pass beyond its models: a node is untrusted (docs/SECURITY.md).

Two kinds, both pure. :func:`screen` runs on the raw bytes BEFORE any parser sees them (size,
nesting depth), so a hostile message costs a byte scan, never a recursion or a heap of
objects. :func:`check_event` runs on a decoded event: line quantity signs, times in the
future, unknown fields beyond a budget, integers out of range, amounts sent as JSON numbers.
Every failure is a :class:`MessageError` whose text becomes the dead letter's reason.
:func:`body_digest` names an event's content, so an ``event_id`` reused with another body is
told apart from a redelivery (``historical`` is left out: a node re-sends with it set).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, get_args

import msgspec
from pydantic import BaseModel

from contracts.codec import Event
from contracts.exceptions import MessageError
from contracts.messages import ReturnData, SaleData, VoidData, ZReportData

INT32_MAX = 2**31 - 1
SEQ_MAX = 2**53 - 1
"""seq is a BIGINT in the cloud, but 2^53 keeps it exact in every JSON reader (JavaScript)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What the cloud accepts from a node (``ingest_*`` settings, docs/SECURITY.md)."""

    max_bytes: int = 512 * 1024
    max_depth: int = 32
    max_future_skew_s: float = 300.0
    max_extra_bytes: int = 8 * 1024


# Raw screen ------------------------------------------------------------------------------

_SIGNIFICANT = re.compile(rb'[\[\]{}"\\]')
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def nesting_depth(raw: bytes, limit: int) -> int:
    """Deepest ``[``/``{`` nesting outside strings, stopping as soon as it passes ``limit``
    (with at most ``limit`` brackets in all, their count: an upper bound).

    A byte scan, no parser: a payload with at most ``limit`` brackets in all is returned at
    once; otherwise a regex (C) finds the significant bytes and a small state machine walks
    only those, so a sale costs nothing and a 2 KB array 1,000 deep costs ~0.1 ms.
    """
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets <= limit:
        return brackets  # an upper bound, within the limit
    depth = deepest = 0
    in_string = False
    escaped_at = -2
    for match in _SIGNIFICANT.finditer(raw):
        pos = match.start()
        byte = raw[pos]
        if pos == escaped_at + 1:
            continue  # the character after a backslash inside a string
        if in_string:
            if byte == _BACKSLASH:
                escaped_at = pos
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def screen(raw: bytes, limits: Limits) -> None:
    """Refuse what must never reach a parser: oversized or too deeply nested payloads."""
    if len(raw) > limits.max_bytes:
        raise MessageError(f"payload of {len(raw)} bytes exceeds the {limits.max_bytes} limit")
    depth = nesting_depth(raw, limits.max_depth)
    if depth > limits.max_depth:
        raise MessageError(f"JSON nested deeper than {limits.max_depth} levels")
    if raw[:2] == b"\x1f\x8b":
        raise MessageError("gzip payload: events are plain UTF-8 JSON")


def payload_digest(raw: bytes) -> str:
    """SHA-256 of the raw bytes: how dead letters and the delivery ledger name a message."""
    return hashlib.sha256(raw).hexdigest()


def body_digest(event: Event) -> str:
    """SHA-256 of the event's content: envelope fields but ``historical``, data key-sorted."""
    env = event.envelope
    body = [env.v, str(env.event_id), env.store, env.node, env.boot, env.seq]
    body += [env.ts.isoformat(), env.type, env.data]
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()


# Decoded checks --------------------------------------------------------------------------


def check_event(
    event: Event,
    now: datetime,
    limits: Limits,
    raw_size: int,
    raw: bytes | None = None,
    *,
    money_typed: bool = False,
) -> None:
    """Everything the models let through that a trustworthy node never sends (``raw``, the
    message's bytes, lets the money and integer checks skip messages that cannot fail them;
    ``money_typed``: the decoder's own types admitted only strings for every money field, as
    the sale fast path's do (``decode_event_from``), so that check is already done)."""
    env, payload = event.envelope, event.payload
    if env.boot > INT32_MAX:
        raise MessageError(f"boot {env.boot} out of range (max {INT32_MAX})")
    if env.seq > SEQ_MAX:
        raise MessageError(f"seq {env.seq} out of range (max {SEQ_MAX})")
    latest = now + timedelta(seconds=limits.max_future_skew_s)
    for name, at in _instants(event):
        if at > latest:
            raise MessageError(
                f"{name} {at.isoformat()} is more than {limits.max_future_skew_s:g} s in the future"
            )
    if isinstance(payload, SaleData | VoidData):
        _line_signs(payload.lines)
    if not money_typed and (raw is None or b"\\u" in raw or _decimal_as_other(type(payload))(raw)):
        _numbers_are_strings(env.data, type(payload))
    if raw is None or may_hold_long_int(raw):
        _ints_in_range(env.data)
    if raw_size > limits.max_extra_bytes:
        extra = _extra_bytes(payload)
        if extra > limits.max_extra_bytes:
            raise MessageError(
                f"unknown fields take {extra} bytes (budget {limits.max_extra_bytes})"
            )


def _instants(event: Event) -> Iterable[tuple[str, datetime]]:
    yield "ts", event.envelope.ts
    payload = event.payload
    if isinstance(payload, SaleData | ReturnData):
        yield "completed_at", payload.completed_at
    elif isinstance(payload, ZReportData):
        yield "closed_at", payload.closed_at


def _line_signs(lines: Iterable[Any]) -> None:
    for n, line in enumerate(lines, 1):
        qty, amount = line.qty, line.amount
        if (qty < 0 < amount) or (amount < 0 < qty):
            raise MessageError(f"line {n}: qty {qty} disagrees in sign with amount {amount}")


@cache
def _decimal_fields(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """A model's Decimal (money, quantity) fields, and its fields holding models or lists of
    models with that model: computed once per class, so the check walks only what matters."""
    decimals: list[str] = []
    nested: list[tuple[str, Any]] = []
    for name, info in model.model_fields.items():
        for arg in (info.annotation, *get_args(info.annotation)):
            for inner in (arg, *get_args(arg)):
                if inner is Decimal:
                    decimals.append(name)
                elif isinstance(inner, type) and issubclass(inner, BaseModel):
                    nested.append((name, inner))
    return tuple(dict.fromkeys(decimals)), tuple(dict.fromkeys(nested))


def _numbers_are_strings(data: Any, model: type[BaseModel]) -> None:
    """Money and quantities are decimal strings (SPEC §3); a JSON number is refused, since the
    models accept ints for Python callers."""
    if not isinstance(data, dict):
        return
    decimals, nested = _decimal_fields(model)
    for name in decimals:
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise MessageError(f"{name} must be a decimal string, not {type(data[name]).__name__}")
    for name, inner in nested:
        value = data.get(name)
        for item in value if isinstance(value, list) else [value]:
            _numbers_are_strings(item, inner)


@cache
def _decimal_as_other(model: type[BaseModel]) -> Callable[[bytes], Any]:
    """Search for a money/quantity key of ``model`` or the models it nests (the keys
    :func:`_numbers_are_strings` looks at) whose value is not a string or null: only then is
    the precise walk needed (``\\u``-escaped keys always take the walk). Per model, so a
    sale's ``"discounts": [`` (a money field of the Z report only) does not trigger it."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        decimals, nested = _decimal_fields(current)
        names.update(decimals)
        todo.extend(inner for _, inner in nested)
    if not names:
        return _never
    alternatives = "|".join(sorted(names)).encode()
    return re.compile(rb'"(?:' + alternatives + rb')"\s*:\s*[^"\sn]').search


def _never(_raw: bytes) -> None:
    return None


LONG_INT = re.compile(rb"[:\[,]\s*-?[0-9]{10}")
"""A JSON number of 10+ digits as a value: only then can an integer be out of range (a string
holding such text makes the precise walk run for nothing, which is merely slower). The
definition; :func:`may_hold_long_int` finds a superset of its matches ~10× faster."""

_DIGITS_AND_SEPARATORS = bytes.maketrans(b"0123456789[,", b"0000000000::")
_BLANKS_AND_MINUS = b" \t\n\r\x0b\x0c-"  # what ``\s`` matches in a bytes pattern, and "-"


def may_hold_long_int(raw: bytes) -> bool:
    """True whenever :data:`LONG_INT` matches ``raw`` (and sometimes when it does not).

    One C pass instead of a regex trying every ``:``/``[``/``,``: digits become ``0``,
    ``[`` and ``,`` become ``:``, whitespace and ``-`` are deleted. A match (separator,
    blanks, optional minus, 10 digits) then reads ``:0000000000``, its parts now adjacent;
    deleting more than the match skips can only add hits (the precise walk decides).
    """
    return b":0000000000" in raw.translate(_DIGITS_AND_SEPARATORS, _BLANKS_AND_MINUS)


def _ints_in_range(value: Any, path: str = "data") -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -INT32_MAX <= value <= INT32_MAX:
            raise MessageError(f"{path}: integer {value} out of range (|n| <= {INT32_MAX})")
    elif isinstance(value, dict):
        for key, item in value.items():
            _ints_in_range(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _ints_in_range(item, f"{path}[{i}]")


def _extra_bytes(model: BaseModel) -> int:
    """Encoded size of every unknown field, at every level of the payload."""
    total = 0
    extra = model.__pydantic_extra__
    if extra:
        total += len(msgspec.json.encode(extra))
    for _, value in model:
        items = value if isinstance(value, list) else [value]
        total += sum(_extra_bytes(item) for item in items if isinstance(item, BaseModel))
    return total
