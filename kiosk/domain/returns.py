"""Attendant-mode returns at the kiosk, and points redemption limits. Pure.

The refund itself is ``contracts.refunds`` — the cloud recomputes it with the same code and
is the authority; the kiosk pays out and publishes a ``return`` event. Here: the sale a
receipt QR names, what to pay back for the lines picked, how the money goes back over the
sale's own tenders (decided before any device is asked), and the row codec of the kiosk's
``kiosk_returns`` table (what earlier returns of a sale took).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from contracts.messages import ReturnData, ReturnLineData, SaleData, Tender
from contracts.pricebook import PointsPolicy
from contracts.receipts import RECEIPT_PATH, read_token
from contracts.refunds import RefundPlan, SoldLine, SoldSale, plan_refund
from kiosk.exceptions import ReturnError

RECEIPT_URL = "https://r.smartstore.invalid/"
"""Prefix of the receipt QR; what follows is the sale id."""

RECEIPT_NO_LEN = 12
"""The receipt number printed for people: the sale id's first characters (a uuid's 48 bits,
unique among one kiosk's sales), typed at the return desk when the QR will not scan."""


def receipt_number(record_id: str) -> str:
    return record_id[:RECEIPT_NO_LEN]


def sale_id_from(text: str) -> str:
    """The sale id in a scanned receipt QR (``https://r…/<sale id>``) or a typed number."""
    value = text.strip()
    if value.startswith(RECEIPT_URL):
        value = value[len(RECEIPT_URL) :].split("?", 1)[0].strip("/")
    elif value.startswith(("http://", "https://")) and RECEIPT_PATH in value:
        named = read_token(value.rsplit(RECEIPT_PATH, 1)[1].split("?", 1)[0].strip("/"))
        value = named[1] if named else ""
    if not value or len(value) > 200 or any(c.isspace() for c in value):
        raise ReturnError("not a receipt code or sale number", "bad_receipt")
    return value


def redeemable(policy: PointsPolicy, asked: int, online_balance: int | None) -> int:
    """Points the kiosk may accept: the cloud's balance when it answered, else the offline
    limit. Raises ValueError when ``asked`` is beyond it (the checkout shows the reason)."""
    cap = online_balance if online_balance is not None else policy.offline_redeem_limit
    if asked < 0 or asked > cap:
        where = "balance" if online_balance is not None else "offline limit"
        raise ValueError(f"at most {cap} points ({where})")
    return asked


def sold_from(sale: SaleData) -> SoldSale:
    return SoldSale(
        lines=tuple(
            SoldLine(no, ln.qty, ln.amount, sum((d.amount for d in ln.discounts), Decimal(0)))
            for no, ln in enumerate(sale.lines, start=1)
        ),
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        tax_inclusive=sale.tax_inclusive,
        total=sale.total,
        tenders=tuple((t.method, t.amount) for t in sale.tenders),
        change=sale.change,
    )


def plan_return(
    sale: SaleData,
    wanted: Mapping[int, Decimal],
    returned_before: Mapping[int, Decimal] | None = None,
    refunded_before: Mapping[str, Decimal] | None = None,
) -> RefundPlan:
    """What to pay back for ``wanted`` (line_no → qty) of a sale this kiosk holds."""
    return plan_refund(sold_from(sale), wanted, returned_before or {}, refunded_before or {})


def return_event(
    sale: SaleData,
    plan: RefundPlan,
    *,
    reason: str,
    attendant: str,
    clock: Callable[[], datetime],
    new_id: Callable[[], str],
    damaged: frozenset[int] = frozenset(),
) -> ReturnData:
    return ReturnData(
        return_id=new_id(),
        sale_id=sale.sale_id,
        completed_at=clock(),
        reason=reason,
        refund_total=plan.total,
        approved_by=attendant,
        lines=[
            ReturnLineData(
                line_no=x.line_no,
                qty=x.qty,
                disposition="damaged" if x.line_no in damaged else "restock",
            )
            for x in plan.lines
        ],
    )


# How the money goes back ---------------------------------------------------------------


@dataclass(frozen=True)
class Refund:
    method: str
    amount: Decimal
    reference: str = ""
    """Terminal refund reference, ``acceptor`` or ``attendant`` for cash, empty otherwise."""
    original: str = ""
    provider: str = ""
    """Who paid it back (``wechatpay``, ``alipay``, ``card``…); empty: the method says it."""


@dataclass(frozen=True)
class TerminalLeg:
    """One terminal refund: our reference, the sale tender's reference, the amount."""

    reference: str
    original: str
    amount: Decimal


def terminal_legs(
    return_id: str,
    method: str,
    amount: Decimal,
    tenders: Iterable[Tender],
    refunded_by_reference: Mapping[str, Decimal],
) -> tuple[list[TerminalLeg], Decimal]:
    """``amount`` by ``method`` spread over the sale's tenders of that method, in their order,
    each up to what it paid less what earlier returns took back from it (one refund reference
    per tender), and what is left over when those tenders cannot take it all."""
    legs: list[TerminalLeg] = []
    left = amount
    for i, tender in enumerate(t for t in tenders if t.method == method):
        room = tender.amount - refunded_by_reference.get(tender.reference, Decimal(0))
        take = min(room, left)
        if take <= 0:
            continue
        legs.append(TerminalLeg(f"{return_id}-{method}-{i}", tender.reference, take))
        left -= take
        if left <= 0:
            break
    return legs, left


def with_refunds(event: ReturnData, plan: RefundPlan, refunds: Sequence[Refund]) -> ReturnData:
    """The ``return`` event as published: the refunds actually paid and the points estimate."""
    return ReturnData.model_validate(
        {
            **event.model_dump(mode="json"),
            "refunds": [
                {
                    "method": r.method,
                    "amount": format(r.amount, "f"),
                    "reference": r.reference,
                    "provider": r.provider or r.method,
                }
                for r in refunds
            ],
            "points_reversed_estimate": plan.points_reversed,
        }
    )


# The kiosk_returns rows ---------------------------------------------------------------


class ReturnHistory(NamedTuple):
    """Earlier returns of one sale: qty per line, amount per tender method and per tender."""

    returned: dict[int, Decimal]
    refunded: dict[str, Decimal]
    by_reference: dict[str, Decimal]


def encode_refunds(refunds: Sequence[Refund]) -> str:
    return json.dumps(
        [
            {
                "method": r.method,
                "amount": format(r.amount, "f"),
                "reference": r.reference,
                "original": r.original,
                "provider": r.provider or r.method,
            }
            for r in refunds
        ]
    )


def tally(rows: Iterable[tuple[str, str]]) -> ReturnHistory:
    """Sum ``(data, refunds)`` rows of one sale into its :class:`ReturnHistory`."""
    returned: dict[int, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    by_ref: dict[str, Decimal] = {}
    for data, refunds in rows:
        for line in ReturnData.model_validate_json(data).lines:
            returned[line.line_no] = returned.get(line.line_no, Decimal(0)) + line.qty
        for r in json.loads(refunds):
            amount = Decimal(r["amount"])
            refunded[r["method"]] = refunded.get(r["method"], Decimal(0)) + amount
            if r.get("original"):
                by_ref[r["original"]] = by_ref.get(r["original"], Decimal(0)) + amount
    return ReturnHistory(returned, refunded, by_ref)


def cash_in(encoded_refunds: Iterable[str]) -> Decimal:
    """The cash among encoded refund lists."""
    return sum(
        (
            Decimal(r["amount"])
            for raw in encoded_refunds
            for r in json.loads(raw)
            if r["method"] == "cash"
        ),
        Decimal("0.00"),
    )
