"""Payment on one cart: the ledger (attempts with idempotent references, tenders, cash and
change) and the steps that move money on a :class:`~kiosk.domain.checkout.Checkout`.

An attempt is recorded (and persisted by the shell) *before* the payment adapter is asked, so
after a crash the shell can query the adapter with the same reference instead of charging
twice. Steps edit the ledger and return a :class:`~kiosk.domain.transitions.Change`. Pure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from contracts.pricing_model import PricedBasket
from kiosk.domain.transitions import AttendantCall, Change
from kiosk.exceptions import CheckoutError, UnknownCode

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout

AttemptStatus = Literal["pending", "approved", "declined", "timeout", "unknown", "cancelled"]
AttemptMethod = Literal["card", "mobile"]
MobileMode = Literal["code", "qr"]

OPEN_STATUSES: frozenset[str] = frozenset({"pending", "timeout", "unknown"})


@dataclass
class PaymentAttempt:
    reference: str
    method: AttemptMethod
    amount: Decimal
    created_at: datetime
    status: AttemptStatus = "pending"
    mode: MobileMode | None = None
    payment_code: str | None = None
    wallet: str | None = None
    auth_code: str | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["amount"] = format(self.amount, "f")
        data["created_at"] = self.created_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaymentAttempt:
        return cls(
            reference=data["reference"],
            method=data["method"],
            amount=Decimal(data["amount"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            status=data.get("status", "pending"),
            mode=data.get("mode"),
            payment_code=data.get("payment_code"),
            wallet=data.get("wallet"),
            auth_code=data.get("auth_code"),
            message=data.get("message", ""),
        )


@dataclass
class TenderRecord:
    method: Literal["cash", "card", "mobile", "points", "coupon"]
    amount: Decimal
    reference: str = ""
    provider: str = ""
    """The payment adapter that took it (``wechatpay``…); empty for cash, points, coupons."""

    def to_dict(self) -> dict[str, str]:
        return {
            "method": self.method,
            "amount": format(self.amount, "f"),
            "reference": self.reference,
            "provider": self.provider,
        }


@dataclass
class Ledger:
    """Money received for the current cart. ``cash_in`` is notes and coins not yet settled."""

    tenders: list[TenderRecord] = field(default_factory=list)
    attempts: list[PaymentAttempt] = field(default_factory=list)
    cash_in: Decimal = Decimal(0)
    change: Decimal = Decimal(0)
    change_due: Decimal = Decimal(0)

    def paid(self) -> Decimal:
        return sum((t.amount for t in self.tenders), Decimal(0))

    def remaining(self, total: Decimal) -> Decimal:
        """What the shopper still owes, cash inserted so far counted; negative means change."""
        return total - self.paid() - self.cash_in

    def open_attempt(self) -> PaymentAttempt | None:
        return next((a for a in self.attempts if a.status in OPEN_STATUSES), None)

    def attempt(self, reference: str) -> PaymentAttempt | None:
        return next((a for a in self.attempts if a.reference == reference), None)

    @property
    def started(self) -> bool:
        """Money moved: the cart can no longer go back to scanning or be suspended."""
        return bool(self.tenders) or self.cash_in > 0 or self.open_attempt() is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenders": [t.to_dict() for t in self.tenders],
            "attempts": [a.to_dict() for a in self.attempts],
            "cash_in": format(self.cash_in, "f"),
            "change": format(self.change, "f"),
            "change_due": format(self.change_due, "f"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ledger:
        return cls(
            tenders=[
                TenderRecord(
                    t["method"],
                    Decimal(t["amount"]),
                    t.get("reference", ""),
                    t.get("provider", ""),
                )
                for t in data.get("tenders", [])
            ],
            attempts=[PaymentAttempt.from_dict(a) for a in data.get("attempts", [])],
            cash_in=Decimal(data.get("cash_in", "0")),
            change=Decimal(data.get("change", "0")),
            change_due=Decimal(data.get("change_due", "0")),
        )


# Steps ------------------------------------------------------------------------------------


def start(co: Checkout) -> tuple[PricedBasket, Change]:
    """From the cart to paying: everything bagged, something to pay for."""
    co.guard("pay")
    if co.cart.empty:
        raise CheckoutError("the cart is empty", "empty_cart")
    if any(ln.needs_bagging for ln in co.cart.lines):
        raise CheckoutError("place every item in the bagging area", "needs_bagging")
    return co.priced(), Change(event="pay")


def back(co: Checkout) -> Change:
    """Back to the cart, only while no money moved."""
    co.guard("back")
    co.require_unpaid()
    return Change(event="back")


def begin_attempt(
    co: Checkout,
    method: AttemptMethod,
    reference: str,
    amount: Decimal | None = None,
    mode: MobileMode | None = None,
    payment_code: str | None = None,
    wallet: str | None = None,
) -> tuple[PaymentAttempt, Change]:
    """Record an attempt with its reference; the shell persists it before asking the adapter."""
    co.guard("tender")
    if co.ledger.open_attempt() is not None:
        raise CheckoutError("a payment is already in progress", "payment_in_progress")
    if co.ledger.cash_in > 0:
        settle_partial_cash(co.ledger)
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
    return attempt, Change(event="tender")


def attempt_result(
    ledger: Ledger,
    reference: str,
    status: AttemptStatus,
    auth_code: str | None = None,
    message: str = "",
    provider: str = "",
) -> tuple[PaymentAttempt, Change]:
    """What the adapter answered (now, or on a recovery query). Approvals become tenders."""
    attempt = ledger.attempt(reference)
    if attempt is None:
        raise UnknownCode(f"no payment attempt {reference}")
    if attempt.status == "approved":
        return attempt, Change()  # late duplicates never add a second tender
    attempt.status = status
    attempt.auth_code = auth_code
    attempt.message = message
    if status == "approved":
        ledger.tenders.append(TenderRecord(attempt.method, attempt.amount, reference, provider))
        return attempt, Change(success=True)
    if status in ("declined", "cancelled"):
        return attempt, Change(failure=f"payment {status}")
    return attempt, Change()


def void_attempt(ledger: Ledger, reference: str, message: str) -> tuple[PaymentAttempt, Change]:
    """The kiosk undid an approved charge with the provider (it could not save the sale):
    the attempt ends ``cancelled`` and its tender goes; the shopper did nothing wrong, so
    no failure counts towards calling an attendant."""
    attempt = ledger.attempt(reference)
    if attempt is None:
        raise UnknownCode(f"no payment attempt {reference}")
    attempt.status = "cancelled"
    attempt.message = message
    ledger.tenders = [t for t in ledger.tenders if t.reference != reference]
    return attempt, Change()


def insert_cash(co: Checkout, amount: Decimal) -> tuple[Decimal, Change]:
    """A note or coin went in; returns the change now owed (0 until the total is covered)."""
    co.guard("tender")
    if co.ledger.open_attempt() is not None:
        raise CheckoutError("a card payment is in progress", "payment_in_progress")
    if amount <= 0:
        raise CheckoutError("bad denomination", "bad_amount")
    co.ledger.cash_in += amount
    remaining = co.due()
    co.ledger.change_due = max(Decimal(0), -remaining)
    return co.ledger.change_due, Change(event="tender")


def settle_partial_cash(ledger: Ledger) -> None:
    """Cash so far becomes a tender, so the rest can go on a card (split tender)."""
    if ledger.cash_in > 0:
        ledger.tenders.append(TenderRecord("cash", ledger.cash_in))
        ledger.cash_in = Decimal(0)


def settle_cash(ledger: Ledger, dispensed: bool) -> Change:
    """The acceptor paid the change out, or could not: then an attendant must."""
    change = ledger.change_due
    if dispensed:
        ledger.tenders.append(TenderRecord("cash", ledger.cash_in))
        ledger.cash_in = Decimal(0)
        ledger.change = change
        ledger.change_due = Decimal(0)
        return Change()
    call = AttendantCall("cash_dispense", f"change {change} not dispensed", {"op": "change"})
    return Change(calls=(call,))
