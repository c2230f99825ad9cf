"""Versioned MQTT payloads: the event envelope and one typed payload per event type.

Payload models accept extra fields (SPEC: "add fields freely; never rename these"); the
envelope itself is closed, and its ``v`` field carries the schema version.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from contracts import SCHEMA_VERSION
from contracts.money import Money, Quantity
from contracts.topics import ID_PATTERN


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

TenderMethod = Literal["cash", "card", "mobile", "points", "coupon", "online"]
"""``online``: paid to the online shop before an order was collected or delivered (cloud only)."""
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
    provider: str = Field(
        default="",
        max_length=32,
        description="Who moved the money: wechatpay, alipay, card, simulator, cash, points,"
        " coupon; empty from nodes older than providers (then the method says it)",
    )


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


InterventionKind = Literal[
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
"""Why a kiosk called an attendant; the kiosk raises exactly these."""


class InterventionData(Payload):
    intervention_id: NonEmpty
    kind: InterventionKind
    state: Literal["raised", "cleared"]
    detail: str = ""
    cart_id: str | None = None
    cleared_by: str | None = None
    method: Literal["pin", "badge", "remote"] | None = None


class TenderTotal(Payload):
    method: TenderMethod
    count: int = Field(ge=0)
    amount: Money


class ProviderTotal(Payload):
    """Settlement per payment provider: what it took on sales and paid back on returns."""

    provider: str = Field(min_length=1, max_length=32)
    count: int = Field(ge=0)
    amount: Money
    refunds_count: int = Field(ge=0, default=0)
    refunds: Money = Decimal(0)


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
    providers: list[ProviderTotal] | None = Field(
        default=None,
        description="Totals per payment provider (wechatpay, alipay, card, cash…), for"
        " settlement against each provider's records; None from older nodes",
    )

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
    unit_weight_g: Quantity | None = Field(
        default=None, description="Unit weight the lane learned from its own single picks, g"
    )
    unit_spread_g: Quantity | None = Field(
        default=None, description="Standard deviation of that learned unit weight, g"
    )
    units_learned: int = Field(default=0, ge=0, description="Single units it was learned from")


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


class UpdateReport(Closed):
    """The node's last software update, carried in its retained state (edge.updates)."""

    version: Annotated[str, StringConstraints(max_length=32)]
    status: Literal["staged", "trial", "ok", "rolled_back", "failed"]
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None
    rollout: Annotated[str, StringConstraints(max_length=32)] | None = None
    at: UtcDateTime


class NodeState(Payload):
    """Retained on ``.../state``; the will carries ``online: false`` with the same boot."""

    online: bool
    boot: int = Field(ge=0)
    kind: str | None = None
    software_version: str | None = None
    config_version: str | None = None
    outbox_depth: int | None = None
    storage_full: bool | None = None
    """The node's outbox could not write its last change (SQLITE_FULL); None: not told."""
    ts: UtcDateTime | None = None
    update: UpdateReport | None = None


class CloudState(Payload):
    online: bool
    ts: UtcDateTime | None = None


class Ack(Payload):
    """The cloud's end-to-end ack on ``.../ack`` (SPEC §4): every event of the node up to
    ``seq`` is applied or dead-lettered, so the node may forget it. ``boot`` is the boot of
    the event at ``seq``; seqs rise across boots, so the ack covers earlier boots too."""

    boot: int = Field(ge=0, le=2**62)
    seq: int = Field(ge=0, le=2**62)


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
