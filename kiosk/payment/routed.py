"""The ``routed`` adapter: one kiosk taking WeChat Pay and Alipay codes and cards at once, each
through its own adapter (``payment: {type: routed, wechatpay: {...}, alipay: {...}, card:
{...}}``).

A payment goes by what the shopper used: a card to ``card``, a payment code to the wallet its
digits name (WeChat 10–15…, Alipay 25–30…), a face-pay token (not digits) to ``face_pay``.
Query, cancel and refund know only a reference, so they ask each adapter in turn: the one that
knows the reference answers (a provider that never saw it says ``unknown``). That costs a call
per adapter on the rare paths (a crash, a timeout, a refund), and keeps no state of its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from edge.config import Strict
from kiosk.domain.scanning import classify_payment_code
from kiosk.payment.alipay import AlipayConfig
from kiosk.payment.base import PaymentAdapter, PaymentResult, PaymentSetup, PayRequest
from kiosk.payment.card import CardTerminalConfig
from kiosk.payment.wechatpay import WechatPayConfig

WALLETS = {"wechat": "wechatpay", "alipay": "alipay"}


class RoutedPaymentConfig(Strict):
    type: Literal["routed"] = Field(description="Discriminator: several providers at once")
    wechatpay: WechatPayConfig | None = Field(default=None, description="WeChat Pay codes")
    alipay: AlipayConfig | None = Field(default=None, description="Alipay codes")
    card: CardTerminalConfig | None = Field(default=None, description="Card terminal")
    face_pay: Literal["wechatpay", "alipay"] | None = Field(
        default=None, description="Provider of a face-pay device's tokens (not digit codes)"
    )

    @model_validator(mode="after")
    def _some(self) -> RoutedPaymentConfig:
        if not (self.wechatpay or self.alipay or self.card):
            raise ValueError("name at least one of wechatpay, alipay, card")
        if self.face_pay and getattr(self, self.face_pay) is None:
            raise ValueError(f"face_pay: {self.face_pay} is not configured")
        return self

    def build(self) -> PaymentSetup:
        built: dict[str, PaymentAdapter] = {}
        for name in ("wechatpay", "alipay", "card"):
            cfg: WechatPayConfig | AlipayConfig | CardTerminalConfig | None = getattr(self, name)
            if cfg is not None:
                adapter = cfg.build().adapter
                assert adapter is not None
                built[name] = adapter
        return PaymentSetup(RoutedPayments(built, self.face_pay))


class RoutedPayments:
    """A :class:`~kiosk.payment.base.PaymentAdapter` over one adapter per provider."""

    provider = "routed"

    def __init__(self, adapters: dict[str, PaymentAdapter], face_pay: str | None = None) -> None:
        self.adapters = adapters
        self.face_pay = face_pay

    def _for(self, request: PayRequest) -> PaymentAdapter | None:
        if request.method == "card":
            return self.adapters.get("card")
        code = request.payment_code or ""
        wallet = classify_payment_code(code)
        name = WALLETS.get(wallet or "") if wallet else (self.face_pay if code else None)
        return self.adapters.get(name) if name else None

    def pay(self, request: PayRequest) -> PaymentResult:
        adapter = self._for(request)
        if adapter is None:
            return PaymentResult(request.reference, "declined", message="not accepted here")
        return adapter.pay(request)

    def _ask(self, reference: str) -> tuple[PaymentAdapter | None, PaymentResult]:
        """The adapter that knows ``reference`` and its answer; (None, unknown) if none."""
        for adapter in self.adapters.values():
            result = adapter.query(reference)
            if result.status != "unknown":
                return adapter, result
        return None, PaymentResult(reference, "unknown")

    def query(self, reference: str) -> PaymentResult:
        return self._ask(reference)[1]

    def cancel(self, reference: str) -> PaymentResult:
        adapter, _ = self._ask(reference)
        if adapter is not None:
            return adapter.cancel(reference)
        last = PaymentResult(reference, "unknown")
        for each in self.adapters.values():  # never seen, or unreachable: cancel everywhere
            answer = each.cancel(reference)
            if answer.status == "approved":
                return answer
            last = answer if answer.status == "cancelled" else last
        return last

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        adapter, charge = self._ask(original)
        if adapter is None or charge.status != "approved":
            return PaymentResult(reference, "declined", amount, message="no such charge")
        return adapter.refund(reference, original, amount)

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
