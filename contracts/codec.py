"""Encoding and decoding of the MQTT payloads in :mod:`contracts.messages`: one place that
turns bytes into validated events (and back), with a readable reason for every failure."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from contracts import SCHEMA_VERSION
from contracts.exceptions import MessageError, TopicError
from contracts.messages import (
    EVENT_PAYLOADS,
    Ack,
    CloudState,
    Command,
    CommandResult,
    Envelope,
    NodeState,
    Payload,
    utcnow,
)
from contracts.topics import ParsedTopic, TopicKind, parse_topic


class Event(BaseModel):
    """A decoded, validated event: the envelope and its typed payload."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    envelope: Envelope
    payload: Payload


M = TypeVar("M", bound=BaseModel)


def encode(model: BaseModel) -> bytes:
    """Compact UTF-8 JSON of any contract model."""
    return model.model_dump_json().encode()


def make_envelope(
    *,
    store: str,
    node: str,
    boot: int,
    seq: int,
    event_type: str,
    data: Payload | dict[str, Any],
    ts: datetime | None = None,
    historical: bool = False,
    event_id: uuid.UUID | None = None,
) -> Envelope:
    """Build an envelope, validating the payload against its event type first."""
    payload = validate_payload(event_type, data)
    return Envelope(
        event_id=event_id or uuid.uuid4(),
        store=store,
        node=node,
        boot=boot,
        seq=seq,
        ts=ts or utcnow(),
        historical=historical,
        type=event_type,
        data=payload.model_dump(mode="json"),
    )


def validate_payload(event_type: str, data: Payload | dict[str, Any]) -> Payload:
    model = EVENT_PAYLOADS.get(event_type)
    if model is None:
        raise MessageError(f"unknown event type {event_type!r}")
    if isinstance(data, model):
        return data
    raw = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise MessageError(f"invalid {event_type} payload: {_describe(exc)}") from exc


def parse_json(raw: bytes | str, what: str = "message") -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MessageError(f"{what} is not valid JSON: {exc}") from exc


def decode_model(model: type[M], raw: bytes | str) -> M:
    """Parse JSON into ``model``, raising :class:`MessageError` with a readable reason."""
    obj = parse_json(raw, model.__name__)
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise MessageError(f"invalid {model.__name__}: {_describe(exc)}") from exc


def decode_event(topic: str, raw: bytes | str) -> Event:
    """Validate an inbound event against its topic; every failure names its reason."""
    try:
        parsed = parse_topic(topic)
    except TopicError as exc:
        raise MessageError(str(exc)) from exc
    return decode_event_from(parsed, topic, raw)[0]


def decode_event_from(parsed: ParsedTopic, topic: str, raw: bytes | str) -> tuple[Event, bool]:
    """:func:`decode_event` on a topic already parsed (``parse_topic(topic)``), and whether
    the sale fast path built the event: its msgspec types admit only strings for every money
    and quantity field of a sale (:func:`contracts.strict.check_event`'s ``money_typed``)."""
    if parsed.kind is not TopicKind.EVENT:
        raise MessageError(f"not an event topic: {topic}")
    if parsed.name == "sale" and parsed.store is not None and parsed.node is not None:
        event = _sale_fast_path()(parsed.store, parsed.node, raw)
        if event is not None:
            return event, True
    return decode_event_models(topic, raw), False


_FAST_SALE: list[Callable[[str, str, bytes | str], Event | None]] = []


def _sale_fast_path() -> Callable[[str, str, bytes | str], Event | None]:
    """contracts.fastsale.decode_sale, imported on first use (it imports this module); kept
    here because an import statement in the hot path costs a few µs per message."""
    if not _FAST_SALE:
        from contracts.fastsale import decode_sale

        _FAST_SALE.append(decode_sale)
    return _FAST_SALE[0]


def decode_event_models(topic: str, raw: bytes | str) -> Event:
    """:func:`decode_event` through the pydantic models only: the reference the sale fast
    path (contracts.fastsale) is tested against, and the source of every error reason."""
    try:
        parsed = parse_topic(topic)
    except TopicError as exc:
        raise MessageError(str(exc)) from exc
    if parsed.kind is not TopicKind.EVENT:
        raise MessageError(f"not an event topic: {topic}")
    envelope = decode_model(Envelope, raw)
    if envelope.v > SCHEMA_VERSION:
        raise MessageError(f"schema version {envelope.v} is newer than {SCHEMA_VERSION}")
    if envelope.store != parsed.store or envelope.node != parsed.node:
        raise MessageError(
            f"envelope {envelope.store}/{envelope.node} disagrees with topic "
            f"{parsed.store}/{parsed.node}"
        )
    if envelope.type != parsed.name:
        raise MessageError(f"envelope type {envelope.type!r} disagrees with topic {parsed.name!r}")
    payload = validate_payload(envelope.type, envelope.data)
    return Event(envelope=envelope, payload=payload)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every message, for integrators (``smartstore contracts schema``)."""
    models: dict[str, type[BaseModel]] = {
        "envelope": Envelope,
        "state": NodeState,
        "cloud_state": CloudState,
        "ack": Ack,
        "command": Command,
        "command_result": CommandResult,
        **{f"evt/{name}": model for name, model in EVENT_PAYLOADS.items()},
    }
    return {name: model.model_json_schema(mode="serialization") for name, model in models.items()}


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
