"""The ``alipay`` adapter: Alipay face-to-face pay (当面付) with the shopper's payment code.

Through ``python-alipay-sdk`` (RSA2: every request signed with the app's private key, every
answer's ``sign`` verified with Alipay's public key, decision 0200). The documented calls:

- ``alipay.trade.pay`` with ``scene=bar_code`` and the code (``security_code`` for a face-pay
  device's token): ``10000`` paid, ``10003`` waiting for the shopper (WAIT_BUYER_PAY),
  ``20000`` unknown, ``40004`` refused (``sub_code`` says why).
- ``alipay.trade.query``: ``trade_status`` WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED,
  TRADE_CLOSED; ``ACQ.TRADE_NOT_EXIST`` when Alipay never saw it.
- ``alipay.trade.cancel``: closes an unpaid trade, refunds a paid one; ``retry_flag=Y`` asks
  for another try.
- ``alipay.trade.refund`` with ``out_request_no``: partial refunds, idempotent per number.
"""

from __future__ import annotations

import logging
import threading
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from kiosk.payment.base import PaymentResult, PaymentSetup, PayRequest, ResultStatus
from kiosk.payment.remote import CodePayTimings, Secret, wait_while_paying, yuan

if TYPE_CHECKING:
    from alipay import AliPay

log = logging.getLogger(__name__)

PROVIDER = "alipay"
GATEWAY = "https://openapi.alipay.com/gateway.do"

STATES: dict[str, ResultStatus] = {
    "TRADE_SUCCESS": "approved",
    "TRADE_FINISHED": "approved",
    "WAIT_BUYER_PAY": "pending",
    "TRADE_CLOSED": "cancelled",
}

UNKNOWN_SUB_CODES = frozenset(
    {"ACQ.SYSTEM_ERROR", "ACQ.TRADE_STATUS_ERROR", "aop.ACQ.SYSTEM_ERROR"}
)


class AlipayConfig(CodePayTimings):
    """``payment: {type: alipay, ...}``: an app with face-to-face pay signed up."""

    type: Literal["alipay"] = Field(description="Discriminator: Alipay face-to-face pay")
    app_id: str = Field(min_length=1, max_length=32, description="The app's APPID")
    app_private_key: Secret = Field(description="The app's RSA2 private key (PEM)")
    alipay_public_key: Secret = Field(description="Alipay's public key for this app (PEM)")
    store_id: str = Field(min_length=1, max_length=32, description="store_id sent with trades")
    subject: str = Field(default="smartstore", max_length=256, description="Trade subject")
    gateway_url: str = Field(default=GATEWAY, description="Gateway (tests: a local fake)")

    def build(self) -> PaymentSetup:
        from alipay import AliPay, AliPayConfig  # the SDK loads only where it is used

        client = AliPay(
            appid=self.app_id,
            app_private_key_string=self.app_private_key.read("payment.app_private_key"),
            alipay_public_key_string=self.alipay_public_key.read("payment.alipay_public_key"),
            sign_type="RSA2",
            config=AliPayConfig(timeout=self.http_timeout_s),
        )
        client._gateway = self.gateway_url  # the SDK's only way to set the gateway
        return PaymentSetup(AlipayAdapter(client, self))


class AlipayAdapter:
    """A :class:`~kiosk.payment.base.PaymentAdapter` for Alipay face-to-face pay."""

    provider = PROVIDER

    def __init__(self, client: AliPay, config: AlipayConfig) -> None:
        self.client = client
        self.cfg = config
        self._stop = threading.Event()

    def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        """One signed call; ``{}`` when nothing trustworthy came back (network error, a
        ``sign`` that does not verify, no ``sign`` at all): the trade's fate is unknown."""
        try:
            answer = self.client.server_api(method, biz)
        except Exception as exc:  # URLError, timeout, AliPayException, AliPayValidationError
            log.warning("alipay %s: %s: %s", method, type(exc).__name__, exc)
            return {}
        return answer if isinstance(answer, dict) else {}

    def _result(self, ref: str, status: ResultStatus, **kw: Any) -> PaymentResult:
        return PaymentResult(ref, status, provider=PROVIDER, **kw)

    def pay(self, request: PayRequest) -> PaymentResult:
        ref, code = request.reference, request.payment_code
        if request.mode == "qr" or not code:
            return self._result(ref, "declined", message="alipay takes payment codes only")
        biz = {
            "out_trade_no": ref,
            "scene": "bar_code" if code.isdigit() else "security_code",
            "auth_code": code,
            "subject": self.cfg.subject,
            "total_amount": yuan(request.amount),
            "store_id": self.cfg.store_id,
        }
        answer = self._call("alipay.trade.pay", biz)
        code_ = answer.get("code")
        if code_ == "10000":
            return self._paid(ref, answer, request.amount)
        if code_ == "40004" and answer.get("sub_code") == "ACQ.TRADE_HAS_SUCCESS":
            return self.query(ref)  # a retried reference: the trade says what happened
        if code_ == "40004" and answer.get("sub_code") not in UNKNOWN_SUB_CODES:
            message = str(answer.get("sub_msg") or answer.get("sub_code") or "refused")
            return self._result(ref, "declined", amount=request.amount, message=message)
        if code_ != "10003":
            return self._result(ref, "timeout", amount=request.amount, message="no answer")
        return wait_while_paying(
            lambda: self.query(ref), self.cfg.user_paying_timeout_s, self.cfg.poll_s, self._stop
        )

    def _paid(self, ref: str, answer: dict[str, Any], amount: Decimal) -> PaymentResult:
        return self._result(
            ref,
            "approved",
            amount=_money(answer.get("total_amount"), amount),
            auth_code=answer.get("trade_no"),
        )

    def query(self, reference: str) -> PaymentResult:
        answer = self._call("alipay.trade.query", {"out_trade_no": reference})
        if answer.get("code") != "10000":
            reason = str(answer.get("sub_code") or "no answer")
            return self._result(reference, "unknown", message=reason)
        state = str(answer.get("trade_status", ""))
        return self._result(
            reference,
            STATES.get(state, "unknown"),
            amount=_money(answer.get("total_amount"), Decimal(0)),
            auth_code=answer.get("trade_no"),
            message=state,
        )

    def cancel(self, reference: str) -> PaymentResult:
        """``alipay.trade.cancel``, retried while Alipay answers ``retry_flag=Y``."""
        for _ in range(3):
            answer = self._call("alipay.trade.cancel", {"out_trade_no": reference})
            if answer.get("code") == "10000":
                return self._result(
                    reference, "cancelled", message=str(answer.get("action") or "cancelled")
                )
            if answer.get("retry_flag") != "Y":
                break
        return self.query(reference)

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        biz = {
            "out_trade_no": original,
            "refund_amount": yuan(amount),
            "out_request_no": reference,
        }
        answer = self._call("alipay.trade.refund", biz)
        if answer.get("code") == "10000":
            return self._result(
                reference, "approved", amount=amount, auth_code=answer.get("trade_no")
            )
        message = str(answer.get("sub_msg") or answer.get("sub_code") or "no answer")
        return self._result(reference, "declined", amount=amount, message=message)

    def close(self) -> None:
        """Stops a "user paying" wait in progress (the kiosk is shutting down)."""
        self._stop.set()


def _money(value: object, default: Decimal) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else default
    except InvalidOperation:
        return default
