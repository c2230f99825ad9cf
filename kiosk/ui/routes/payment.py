"""Paying: the method chosen, back to the cart, and the demo's simulated note slot and wallet
app (present only on fake devices)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from kiosk.exceptions import CheckoutError
from kiosk.ui.deps import Body, PartsDep, view

router = APIRouter(prefix="/api")


class PayBody(Body):
    method: Literal["card", "qr", "cash"]


class CashBody(Body):
    value: str = Field(max_length=12)


@router.post("/pay")
def pay(body: PayBody, parts: PartsDep) -> dict[str, Any]:
    parts.payments.pay(body.method)
    return view(parts)


@router.post("/back")
def back(parts: PartsDep) -> dict[str, Any]:
    parts.payments.back()
    return view(parts)


@router.post("/cash")
def insert_cash(body: CashBody, parts: PartsDep) -> dict[str, Any]:
    """The simulated note slot of the fake acceptor (demo and tests only)."""
    if parts.cash_slot is None:
        raise CheckoutError("no simulated cash slot", "no_cash")
    try:
        value = Decimal(body.value)
    except InvalidOperation as exc:
        raise CheckoutError("bad denomination", "bad_denomination") from exc
    parts.cash_slot(value)
    return view(parts)


@router.post("/qr/paid")
def qr_paid(parts: PartsDep) -> dict[str, Any]:
    """Payment simulator only: the shopper paid the QR in their wallet."""
    attempt = parts.session.co.ledger.open_attempt()
    if parts.wallet is None or attempt is None:
        raise CheckoutError("no QR payment waiting", "not_allowed")
    parts.wallet(attempt.reference)
    return view(parts)
