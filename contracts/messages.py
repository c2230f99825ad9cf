"""Versioned MQTT payloads: the event envelope and one typed payload per event type.

Payload models accept extra fields (SPEC: "add fields freely; never rename these"); the
envelope itself is closed, and its ``v`` field carries the schema version.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    model_validator,
)

from contracts import SCHEMA_VERSION
from contracts.exceptions import MessageError, TopicError
from contracts.money import Money, Quantity
from contracts.topics import ID_PATTERN, TopicKind, parse_topic


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def format_ts(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix and millisecond precision."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


UtcDateTime = Annotated[
    AwareDatetime, AfterValidator(_to_utc), PlainSerializer(format_ts, return_type=str)
]
"""A timezone-aware instant, normalised to UTC; naive times are refused."""

Id = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN}$")]
Gtin14 = Annotated[str, StringConstraints(pattern=r"^\d{14}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=200)]

TenderMethod = Literal["cash", "card", "mobile", "points", "coupon"]
EventType = Literal[
    "sale",
    "void",
    "intervention",
    "zreport",
    "shelf_event",
    "stock",
    "fault",
    "return",
    "invoice_request",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of event payloads: open to new fields, never renaming the documented ones."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Sale ------------------------------------------------------------------------------------


class Discount(Payload):
    promotion: NonEmpty = Field(description="Promotion, coupon or rule id that gave the discount")
    amount: Money = Field(description="Discount amount, positive")


class SaleLine(Payload):
    gtin: Gtin14
    name: NonEmpty
    qty: Quantity = Field(description="Units, or kilograms for weighed items")
    unit_price: Money
    amount: Money = Field(description="qty × unit_price before line discounts")
    discounts: list[Discount] = Field(default_factory=list)


class Tender(Payload):
    method: TenderMethod
    amount: Money
    reference: str = Field(default="", max_length=200)


class PhoneMember(Closed):
    phone: Annotated[str, StringConstraints(pattern=r"^\+?\d{5,20}$")]


class CardMember(Closed):
    card: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{4,40}$")]


class SaleData(Payload):
    """A completed sale. Totals must balance, or the cloud dead-letters the event."""

    sale_id: NonEmpty
    completed_at: UtcDateTime
    currency: Currency
    member: PhoneMember | CardMember | None = None
    lines: list[SaleLine] = Field(min_length=1)
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    tenders: list[Tender] = Field(min_length=1)
    change: Money
    tax_inclusive: bool = True

    @model_validator(mode="after")
    def _balances(self) -> SaleData:
        expected = self.subtotal - self.discount_total
        if not self.tax_inclusive:
            expected += self.tax_total
        if expected != self.total:
            raise ValueError(f"total {self.total} != subtotal - discounts (+ tax) = {expected}")
        paid = sum((t.amount for t in self.tenders), Decimal(0))
        if paid - self.change != self.total:
            raise ValueError(f"tenders {paid} - change {self.change} != total {self.total}")
        if self.change < 0 or self.total < 0:
            raise ValueError("total and change cannot be negative")
        lines_sum = sum((ln.amount for ln in self.lines), Decimal(0))
        if lines_sum != self.subtotal:
            raise ValueError(f"subtotal {self.subtotal} != sum of line amounts {lines_sum}")
        return self


class VoidData(Payload):
    """A cancelled cart or removed line; ``approved_by`` names the attendant."""

    cart_id: NonEmpty
    reason: NonEmpty
    lines: list[SaleLine] = Field(default_factory=list)
    amount: Money = Decimal(0)
    approved_by: str | None = None


class InterventionData(Payload):
    intervention_id: NonEmpty
    kind: Literal[
        "age_restricted",
        "weight_mismatch",
        "unexpected_item",
        "removed_item",
        "void_after_bagging",
        "price_override",
        "repeated_failures",
        "printer_fault",
        "cash_dispense",
        "payment",
        "other",
    ]
    state: Literal["raised", "cleared"]
    detail: str = ""
    cart_id: str | None = None
    cleared_by: str | None = None
    method: Literal["pin", "badge", "remote"] | None = None


class TenderTotal(Payload):
    method: TenderMethod
    count: int = Field(ge=0)
    amount: Money


class ZReportData(Payload):
    """End-of-day totals of one kiosk, reconciled by the cloud against the sales it received.

    ``cash_expected`` is what the drawer should hold: cash taken, minus change, minus cash
    refunded. ``refunds`` is None from nodes older than refunds on the Z report: their
    ``cash_expected`` does not subtract cash refunds (the cloud corrects for it on settlement).
    """

    report_no: int = Field(ge=1)
    business_date: date
    opened_at: UtcDateTime
    closed_at: UtcDateTime
    sales_count: int = Field(ge=0)
    voids_count: int = Field(ge=0, default=0)
    gross: Money
    discounts: Money
    tax: Money
    total: Money
    change: Money = Decimal(0)
    tenders: list[TenderTotal] = Field(default_factory=list)
    cash_expected: Money | None = None
    cash_counted: Money | None = None
    sale_ids: list[str] = Field(default_factory=list)
    refunds: list[TenderTotal] | None = Field(
        default=None, description="Money paid back at this kiosk per method (count: payments)"
    )
    refunds_count: int = Field(ge=0, default=0, description="Returns paid out at this kiosk")
    refunds_total: Money = Decimal(0)
    return_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _refunds_add_up(self) -> ZReportData:
        paid = sum((r.amount for r in self.refunds or ()), Decimal(0))
        if paid != self.refunds_total:
            raise ValueError(f"refunds_total {self.refunds_total} != sum of refunds {paid}")
        return self


class ShelfEventData(Payload):
    lane: NonEmpty
    type: Literal["pick", "put", "foreign", "uncertain"]
    qty: int = Field(ge=0)
    delta_grams: Quantity
    count: int = Field(ge=0)
    sku: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)


class StockData(Payload):
    lane: NonEmpty
    sku: NonEmpty
    gtin: Gtin14
    count: int = Field(ge=0)
    grams: Quantity
    state: Literal["ok", "low", "out"]


class FaultData(Payload):
    code: NonEmpty = Field(description="Stable fault code, e.g. printer_paper_out, sensor_stuck")
    component: NonEmpty = Field(description="Device or subsystem, e.g. printer, lane:a3")
    severity: Literal["info", "warning", "error", "critical"] = "error"
    active: bool = Field(default=True, description="False when the fault has cleared")
    message: str = ""


class ReturnLineData(Payload):
    """One returned line of the original sale, by its 1-based position in ``SaleData.lines``."""

    line_no: int = Field(ge=1, le=10_000)
    qty: Quantity = Field(gt=0, description="Units (or kg) returned, at most what is left")
    disposition: Literal["restock", "damaged"] = "restock"


class ReturnData(Payload):
    """An attendant-approved return at a kiosk; the cloud re-prices the refund and may refuse.

    ``return_id`` is unique chain-wide, so a redelivered return is applied once.
    """

    return_id: NonEmpty
    sale_id: NonEmpty
    completed_at: UtcDateTime
    reason: NonEmpty
    lines: list[ReturnLineData] = Field(min_length=1, max_length=500)
    refund_total: Money = Field(description="What the kiosk paid back, for reconciliation")
    approved_by: str | None = None


class InvoiceRequestData(Payload):
    """A shopper asked for a (fapiao-style) invoice for a sale at the kiosk."""

    sale_id: NonEmpty
    buyer_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    tax_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{0,40}$")] = ""
    email: Annotated[str, StringConstraints(max_length=200)] = ""


EVENT_PAYLOADS: dict[str, type[Payload]] = {
    "sale": SaleData,
    "void": VoidData,
    "intervention": InterventionData,
    "zreport": ZReportData,
    "shelf_event": ShelfEventData,
    "stock": StockData,
    "fault": FaultData,
    "return": ReturnData,
    "invoice_request": InvoiceRequestData,
}


# Envelope, state, commands -------------------------------------------------------------------


class Envelope(Closed):
    """Every event travels in this; ``(node, seq)`` and ``event_id`` make delivery idempotent."""

    v: int = Field(default=SCHEMA_VERSION, ge=1, description="Schema version")
    event_id: uuid.UUID
    store: Id
    node: Id
    boot: int = Field(ge=0, description="Node start counter")
    seq: int = Field(ge=1, description="Rises by one per event per node; survives restarts")
    ts: UtcDateTime
    historical: bool = Field(default=False, description="Replayed backlog, not live")
    type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    data: dict[str, Any]


class NodeState(Payload):
    """Retained on ``.../state``; the will carries ``online: false`` with the same boot."""

    online: bool
    boot: int = Field(ge=0)
    kind: str | None = None
    software_version: str | None = None
    config_version: str | None = None
    outbox_depth: int | None = None
    ts: UtcDateTime | None = None


class CloudState(Payload):
    online: bool
    ts: UtcDateTime | None = None


class Command(Payload):
    command_id: NonEmpty
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    args: dict[str, Any] = Field(default_factory=dict)
    issued_at: UtcDateTime
    expires_at: UtcDateTime | None = None
    issued_by: str | None = None


class CommandResult(Payload):
    command_id: NonEmpty
    ok: bool
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    completed_at: UtcDateTime


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
    if parsed.kind is not TopicKind.EVENT:
        raise MessageError(f"not an event topic: {topic}")
    if parsed.name == "sale" and parsed.store is not None and parsed.node is not None:
        event = _sale_fast_path()(parsed.store, parsed.node, raw)
        if event is not None:
            return event
    return decode_event_models(topic, raw)


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
