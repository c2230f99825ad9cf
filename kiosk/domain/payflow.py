"""Payment steps on a :class:`~kiosk.domain.checkout.Checkout`: attempts, cash and change.

Kept apart from the state machine so each stays short; functions here are pure too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kiosk.domain.payments import (
    AttemptMethod,
    AttemptStatus,
    MobileMode,
    PaymentAttempt,
    TenderRecord,
)
from kiosk.exceptions import CheckoutError, UnknownCode

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


def begin_attempt(
    co: Checkout,
    method: AttemptMethod,
    reference: str,
    amount: Decimal | None = None,
    mode: MobileMode | None = None,
    payment_code: str | None = None,
    wallet: str | None = None,
) -> PaymentAttempt:
    """Record an attempt with its reference; the shell persists it before asking the terminal."""
    co.require("paying")
    if co.ledger.open_attempt() is not None:
        raise CheckoutError("a payment is already in progress", "payment_in_progress")
    if co.ledger.cash_in > 0:
        settle_partial_cash(co)
    due = co.due()
    amount = due if amount is None else amount
    if amount <= 0 or amount > due:
        raise CheckoutError(f"amount must be between 0 and {due}", "bad_amount")
    attempt = PaymentAttempt(
        reference=reference,
        method=method,
        amount=amount,
        created_at=co.clock(),
        mode=mode,
        payment_code=payment_code,
        wallet=wallet,
    )
    co.ledger.attempts.append(attempt)
    return attempt


def attempt_result(
    co: Checkout,
    reference: str,
    status: AttemptStatus,
    auth_code: str | None = None,
    message: str = "",
) -> PaymentAttempt:
    """What the terminal answered (now, or on a recovery query). Approvals become tenders."""
    attempt = co.ledger.attempt(reference)
    if attempt is None:
        raise UnknownCode(f"no payment attempt {reference}")
    if attempt.status == "approved":
        return attempt  # late duplicates never add a second tender
    attempt.status = status
    attempt.auth_code = auth_code
    attempt.message = message
    if status == "approved":
        co.ledger.tenders.append(TenderRecord(attempt.method, attempt.amount, reference))
        co.failures = 0
    elif status in ("declined", "cancelled"):
        co.record_failure(f"payment {status}")
    return attempt


def insert_cash(co: Checkout, amount: Decimal) -> Decimal:
    """A note or coin went in; returns the change now owed (0 until the total is covered)."""
    co.require("paying")
    if co.ledger.open_attempt() is not None:
        raise CheckoutError("a card payment is in progress", "payment_in_progress")
    if amount <= 0:
        raise CheckoutError("bad denomination", "bad_amount")
    co.ledger.cash_in += amount
    remaining = co.due()
    co.ledger.change_due = max(Decimal(0), -remaining)
    return co.ledger.change_due


def settle_partial_cash(co: Checkout) -> None:
    """Cash so far becomes a tender, so the rest can go on a card (split tender)."""
    if co.ledger.cash_in > 0:
        co.ledger.tenders.append(TenderRecord("cash", co.ledger.cash_in))
        co.ledger.cash_in = Decimal(0)


def settle_cash(co: Checkout, dispensed: bool) -> None:
    """The acceptor paid the change out, or could not: then an attendant must."""
    change = co.ledger.change_due
    if dispensed:
        co.ledger.tenders.append(TenderRecord("cash", co.ledger.cash_in))
        co.ledger.cash_in = Decimal(0)
        co.ledger.change = change
        co.ledger.change_due = Decimal(0)
        return
    co.raise_intervention("cash_dispense", f"change {change} not dispensed", {"op": "change"})


def change_paid_by_attendant(co: Checkout) -> None:
    settle_cash(co, dispensed=True)


def fully_paid(co: Checkout) -> bool:
    """Nothing owed, no cash waiting for change, no attempt in flight."""
    return (
        co.phase == "paying"
        and not co.blocked
        and co.ledger.open_attempt() is None
        and co.ledger.change_due == 0
        and co.ledger.cash_in == 0
        and co.due() <= 0
    )
