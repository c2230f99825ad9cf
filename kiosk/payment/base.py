"""The payment-terminal Protocol: card and mobile payments keyed by an idempotent reference.

Charging twice with the same reference must never charge twice; ``query`` answers what
happened to a reference after a timeout or a crash, which is how the kiosk recovers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

ResultStatus = Literal["approved", "declined", "timeout", "pending", "unknown", "cancelled"]
TerminalMethod = Literal["card", "mobile"]


@dataclass(frozen=True)
class TerminalResult:
    reference: str
    status: ResultStatus
    amount: Decimal = Decimal(0)
    auth_code: str | None = None
    message: str = ""
    qr_payload: str | None = None


class PaymentTerminal(Protocol):
    def charge(
        self,
        reference: str,
        amount: Decimal,
        method: TerminalMethod,
        payment_code: str | None = None,
    ) -> TerminalResult:
        """Card tap/insert or a scanned shopper code; blocks until an answer or a timeout."""
        ...

    def present_qr(self, reference: str, amount: Decimal) -> TerminalResult:
        """Create a merchant QR for the shopper to scan; the answer is ``pending`` + payload."""
        ...

    def query(self, reference: str) -> TerminalResult:
        """What became of ``reference``: ``unknown`` if the terminal never saw it."""
        ...

    def cancel(self, reference: str) -> TerminalResult:
        """Stop a pending or timed-out payment; an already approved one stays approved."""
        ...

    def close(self) -> None: ...
