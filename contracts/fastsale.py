"""A fast path for decoding sale events: the cloud's hottest input, validated in C.

:func:`contracts.codec.decode_event` spends most of a sale's ~45 µs in pydantic calling
the Python ``to_decimal`` validator 22 times and re-walking ``json.loads`` output. Here
msgspec decodes the bytes straight into structs whose constraints (patterns, lengths,
bounds, literals) mirror the pydantic models, and the pydantic instances are then built
without validating again. The path is deliberately narrower than the models: only the
plain shapes the kiosks send (amounts as plain decimal strings, RFC 3339 times with an
offset, no unknown fields below the sale itself). Anything else, valid or not, returns
``None`` and the caller runs the pydantic models, so verdicts and error reasons stay
theirs. tests/contracts/test_fastsale.py checks, on hypothesis-generated valid and
invalid payloads, that both paths accept the same messages and build equal events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType
from pydantic import BaseModel

from contracts import SCHEMA_VERSION
from contracts.codec import Event
from contracts.messages import (
    CardMember,
    Discount,
    Envelope,
    PhoneMember,
    SaleData,
    SaleLine,
    Tender,
)

# Patterns are ASCII-only and anchored with \Z (Python's ``$`` also matches before a final
# newline, pydantic's Rust regex does not): a subset of what the models accept.
_MoneyS = str  # parsed by _dec exactly as contracts.money.to_decimal parses a string
_TimeS = Annotated[
    str,
    Meta(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
        r"(Z|[+-][0-9]{2}:[0-9]{2})\Z"
    ),
]
_NonEmpty = Annotated[str, Meta(min_length=1, max_length=200)]
_Id = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,31}\Z")]
_Gtin = Annotated[str, Meta(pattern=r"^[0-9]{14}\Z")]
_Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}\Z")]
_Phone = Annotated[str, Meta(pattern=r"^\+?[0-9]{5,20}\Z")]
_Card = Annotated[str, Meta(pattern=r"^[A-Za-z0-9-]{4,40}\Z")]


class _Discount(Struct, forbid_unknown_fields=True, gc=False):
    promotion: _NonEmpty
    amount: _MoneyS


class _Line(Struct, forbid_unknown_fields=True):
    gtin: _Gtin
    name: _NonEmpty
    qty: _MoneyS
    unit_price: _MoneyS
    amount: _MoneyS
    discounts: list[_Discount] | UnsetType = UNSET


class _Tender(Struct, forbid_unknown_fields=True, gc=False):
    method: Literal["cash", "card", "mobile", "points", "coupon", "online"]
    amount: _MoneyS
    reference: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    provider: Annotated[str, Meta(max_length=32)] | UnsetType = UNSET


class _Member(Struct, forbid_unknown_fields=True, gc=False):
    phone: _Phone | UnsetType = UNSET
    card: _Card | UnsetType = UNSET


class _Sale(Struct):
    """Unknown keys are allowed here (kept as the model's extras, from the plain dict)."""

    sale_id: _NonEmpty
    completed_at: _TimeS
    currency: _Currency
    lines: Annotated[list[_Line], Meta(min_length=1)]
    subtotal: _MoneyS
    discount_total: _MoneyS
    tax_total: _MoneyS
    total: _MoneyS
    tenders: Annotated[list[_Tender], Meta(min_length=1)]
    change: _MoneyS
    member: _Member | UnsetType | None = UNSET
    tax_inclusive: bool | UnsetType = UNSET


class _Envelope(Struct, forbid_unknown_fields=True, gc=False):
    event_id: uuid.UUID
    store: _Id
    node: _Id
    boot: Annotated[int, Meta(ge=0)]
    seq: Annotated[int, Meta(ge=1)]
    ts: _TimeS
    type: Literal["sale"]
    data: Raw
    v: Annotated[int, Meta(ge=1)] | UnsetType = UNSET
    historical: bool | UnsetType = UNSET


_SALE_KEYS = frozenset(SaleData.model_fields)
_setattr = object.__setattr__


class _Miss(Exception):
    """The message is outside the fast path; the pydantic models decide."""


def _build(cls: type[BaseModel], values: dict[str, Any], fields: set[str], extra: Any) -> Any:
    """A model instance from values already checked (what ``model_construct`` does, minus
    its per-field loop). ``extra`` is ``{}`` for open models and ``None`` for closed ones,
    as pydantic's own validation leaves it."""
    obj = cls.__new__(cls)
    _setattr(obj, "__dict__", values)
    _setattr(obj, "__pydantic_fields_set__", fields)
    _setattr(obj, "__pydantic_extra__", extra)
    _setattr(obj, "__pydantic_private__", None)
    return obj


def _dec(text: str, dec: type[Decimal] = Decimal) -> Decimal:
    """``to_decimal`` on a string: ``Decimal`` strips surrounding whitespace as it does."""
    value = dec(text)
    if value.is_finite():
        return value
    raise _Miss


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _Miss from exc
    return value.astimezone(UTC)


def _line(ln: _Line, new: Any = object.__new__, put: Any = _setattr) -> SaleLine:
    """One line (the innermost loop: :func:`_build` inlined)."""
    fields = {"gtin", "name", "qty", "unit_price", "amount"}
    discounts: list[Discount] = []
    if ln.discounts is not UNSET:
        fields.add("discounts")
        for d in ln.discounts:
            disc = new(Discount)
            put(disc, "__dict__", {"promotion": d.promotion, "amount": _dec(d.amount)})
            put(disc, "__pydantic_fields_set__", {"promotion", "amount"})
            put(disc, "__pydantic_extra__", {})
            put(disc, "__pydantic_private__", None)
            discounts.append(disc)
    line = new(SaleLine)
    put(
        line,
        "__dict__",
        {
            "gtin": ln.gtin,
            "name": ln.name,
            "qty": _dec(ln.qty),
            "unit_price": _dec(ln.unit_price),
            "amount": _dec(ln.amount),
            "discounts": discounts,
        },
    )
    put(line, "__pydantic_fields_set__", fields)
    put(line, "__pydantic_extra__", {})
    put(line, "__pydantic_private__", None)
    result: SaleLine = line
    return result


def _tender(t: _Tender) -> Tender:
    fields = {"method", "amount"}
    if t.reference is UNSET:
        reference = ""
    else:
        fields.add("reference")
        reference = t.reference
    provider = ""
    if t.provider is not UNSET:
        fields.add("provider")
        provider = t.provider
    values = {
        "method": t.method,
        "amount": _dec(t.amount),
        "reference": reference,
        "provider": provider,
    }
    result: Tender = _build(Tender, values, fields, {})
    return result


def _member(m: _Member | UnsetType | None) -> PhoneMember | CardMember | None:
    if m is None or m is UNSET:
        return None
    assert isinstance(m, _Member)
    if m.phone is not UNSET and m.card is UNSET:
        phone: PhoneMember = _build(PhoneMember, {"phone": m.phone}, {"phone"}, None)
        return phone
    if m.card is not UNSET and m.phone is UNSET:
        card: CardMember = _build(CardMember, {"card": m.card}, {"card"}, None)
        return card
    raise _Miss


@cache
def _decoders() -> tuple[msgspec.json.Decoder[_Envelope], msgspec.json.Decoder[_Sale]]:
    return msgspec.json.Decoder(_Envelope), msgspec.json.Decoder(_Sale)


@cache
def _balances() -> Callable[[SaleData], Any]:
    """SaleData's own cross-field check (totals balance), run on the built instance."""
    func: Callable[[SaleData], Any] = SaleData.__pydantic_decorators__.model_validators[
        "_balances"
    ].func
    return func


def decode_sale(store: str, node: str, raw: bytes | str) -> Event | None:
    """The event of a plain, valid sale message sent on ``store``/``node``'s sale topic;
    ``None`` when the message needs the full models (invalid, or an unusual valid shape)."""
    env_decoder, sale_decoder = _decoders()
    try:
        env = env_decoder.decode(raw)
        if env.store != store or env.node != node:
            return None
        if env.v is not UNSET and env.v > SCHEMA_VERSION:
            return None
        sale = sale_decoder.decode(env.data)
        data = msgspec.json.decode(env.data)
        return _event(env, sale, data)
    except (msgspec.DecodeError, _Miss, ValueError, ArithmeticError):  # Decimal: InvalidOperation
        return None


def _event(env: _Envelope, sale: _Sale, data: Any) -> Event:
    if not isinstance(data, dict):
        raise _Miss
    fields = set(_SALE_KEYS) - {"member", "tax_inclusive"}
    if sale.member is not UNSET:
        fields.add("member")
    if sale.tax_inclusive is not UNSET:
        fields.add("tax_inclusive")
    values = {
        "sale_id": sale.sale_id,
        "completed_at": _time(sale.completed_at),
        "currency": sale.currency,
        "member": _member(sale.member),
        "lines": [_line(ln) for ln in sale.lines],
        "subtotal": _dec(sale.subtotal),
        "discount_total": _dec(sale.discount_total),
        "tax_total": _dec(sale.tax_total),
        "total": _dec(sale.total),
        "tenders": [_tender(t) for t in sale.tenders],
        "change": _dec(sale.change),
        "tax_inclusive": True if sale.tax_inclusive is UNSET else sale.tax_inclusive,
    }
    extra = {k: v for k, v in data.items() if k not in _SALE_KEYS}
    fields.update(extra)  # pydantic counts extras as set fields
    payload: SaleData = _build(SaleData, values, fields, extra)
    _balances()(payload)  # ValueError when the totals do not balance: the models say why
    env_fields = {"event_id", "store", "node", "boot", "seq", "ts", "type", "data"}
    if env.v is not UNSET:
        env_fields.add("v")
    if env.historical is not UNSET:
        env_fields.add("historical")
    envelope = _build(
        Envelope,
        {
            "v": SCHEMA_VERSION if env.v is UNSET else env.v,
            "event_id": env.event_id,
            "store": env.store,
            "node": env.node,
            "boot": env.boot,
            "seq": env.seq,
            "ts": _time(env.ts),
            "historical": False if env.historical is UNSET else env.historical,
            "type": env.type,
            "data": data,
        },
        env_fields,
        None,
    )
    event: Event = _build(
        Event, {"envelope": envelope, "payload": payload}, {"envelope", "payload"}, None
    )
    return event
