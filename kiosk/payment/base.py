"""The payment adapter Protocol: pay, query, cancel (or reverse) and refund, each keyed by an
idempotent reference (SPEC §4 "Payments").

Paying twice with one reference never charges twice; ``query`` answers what became of a
reference after a timeout or a crash, which is how the kiosk settles a payment left in flight
without charging again. The kiosk's payments part sees only this Protocol.

Adding an adapter (``wechatpay``, ``alipay``, ``card``…) is one new module
``kiosk/payment/<type>.py`` holding the adapter class and its config variant (a ``type:``
literal, its fields, and ``build()`` returning a :class:`PaymentSetup`), plus that variant in
the ``PaymentConfig`` union of :mod:`kiosk.payment.config`. Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from kiosk.domain.payment import AttemptMethod, MobileMode

ResultStatus = Literal["approved", "declined", "timeout", "pending", "unknown", "cancelled"]


@dataclass(frozen=True)
class PayRequest:
    reference: str
    amount: Decimal
    method: AttemptMethod
    mode: MobileMode | None = None
    """``None`` for a card; ``code``: the shopper's payment code (付款码) in ``payment_code``;
    ``qr``: a merchant QR the shopper scans with their wallet app."""
    payment_code: str | None = None


@dataclass(frozen=True)
class PaymentResult:
    reference: str
    status: ResultStatus
    amount: Decimal = Decimal(0)
    auth_code: str | None = None
    message: str = ""
    qr_payload: str | None = None
    provider: str = ""
    """Who moved the money (``wechatpay``, ``alipay``, ``card``, ``simulator``): tenders,
    refunds and the Z report carry it."""


class PaymentAdapter(Protocol):
    provider: str
    """The ``payment.type`` it implements; tenders and refunds carry it."""

    def pay(self, request: PayRequest) -> PaymentResult:
        """A card or a payment code: blocks until an answer or a timeout. A merchant QR:
        answers ``pending`` with the ``qr_payload`` to show; ``query`` says when it is paid."""
        ...

    def query(self, reference: str) -> PaymentResult:
        """What became of ``reference``: ``unknown`` if the provider never saw it."""
        ...

    def cancel(self, reference: str) -> PaymentResult:
        """Make sure ``reference`` is never charged: cancel it while pending, reverse it where
        the provider allows. Answers what became of it: a charge that cannot be undone any
        more stays ``approved``."""
        ...

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        """Pay ``amount`` of the charge ``original`` back; idempotent by ``reference``."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PaymentSetup:
    """What a ``payment:`` config builds."""

    adapter: PaymentAdapter | None
    """None: no cashless payment (``type: none``), cash only."""
    wallet: Callable[[str], None] | None = None
    """A simulator's stand-in for the shopper's wallet app: pays the QR shown for a
    reference (the demo page's button). None on a real adapter."""
