"""Tender bookkeeping of one cart: attempts with idempotent references, cash, change.

An attempt is recorded (and persisted by the shell) *before* the terminal is asked, so after
a crash the shell can query the terminal with the same reference instead of charging twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

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

    def to_dict(self) -> dict[str, str]:
        return {
            "method": self.method,
            "amount": format(self.amount, "f"),
            "reference": self.reference,
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
                TenderRecord(t["method"], Decimal(t["amount"]), t.get("reference", ""))
                for t in data.get("tenders", [])
            ],
            attempts=[PaymentAttempt.from_dict(a) for a in data.get("attempts", [])],
            cash_in=Decimal(data.get("cash_in", "0")),
            change=Decimal(data.get("change", "0")),
            change_due=Decimal(data.get("change_due", "0")),
        )
