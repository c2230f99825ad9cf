"""How a return's money goes back, decided before any device is asked. Pure.

Card and mobile refunds go to the sale's own tenders of that method, each up to what it paid
less what earlier returns already took back from it, one terminal reference per tender. The
desk (:mod:`kiosk.returns`) asks the terminal leg by leg and stops at the first refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.messages import ReturnData, Tender
from contracts.refunds import RefundPlan


@dataclass(frozen=True)
class Refund:
    method: str
    amount: Decimal
    reference: str = ""
    """Terminal refund reference, ``acceptor`` or ``attendant`` for cash, empty otherwise."""
    original: str = ""


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
    and what is left over when those tenders cannot take it all."""
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
                {"method": r.method, "amount": format(r.amount, "f"), "reference": r.reference}
                for r in refunds
            ],
            "points_reversed_estimate": plan.points_reversed,
        }
    )
