"""The ``wechatpay`` adapter: WeChat Pay payment codes (付款码, face-pay codes too) over APIv3.

Requests are signed and every 2xx answer's ``Wechatpay-Signature`` is verified by the
``wechatpayv3`` SDK's :class:`~wechatpayv3.core.Core` in platform-public-key mode (微信支付公钥:
no certificate download). The SDK's ``pay()`` insists on a ``notify_url`` the codepay API does
not take, so the documented bodies are built here and sent through ``Core.request``
(decision 0200). Endpoints (pay.weixin.qq.com, "付款码支付 v3"):

- ``POST /v3/pay/transactions/codepay``: ``trade_state`` SUCCESS, or USERPAYING while the
  shopper types a password; errors are 4xx/5xx ``{"code", "message"}``.
- ``GET /v3/pay/transactions/out-trade-no/{no}?mchid=``: the order; 404 ORDER_NOT_EXIST.
- ``POST /v3/pay/transactions/out-trade-no/{no}/reverse``: cancel, or refund if paid.
- ``POST /v3/refund/domestic/refunds``: by ``out_refund_no``, idempotent.
"""

from __future__ import annotations

import json
import logging
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from kiosk.payment.base import PaymentResult, PaymentSetup, PayRequest, ResultStatus
from kiosk.payment.remote import CodePayTimings, Secret, to_fen, wait_while_paying

if TYPE_CHECKING:
    from wechatpayv3.core import Core

log = logging.getLogger(__name__)

PROVIDER = "wechatpay"
GATEWAY = "https://api.mch.weixin.qq.com"

STATES: dict[str, ResultStatus] = {
    "SUCCESS": "approved",
    "REFUND": "approved",  # paid, then (partly) refunded: the charge stands
    "USERPAYING": "pending",
    "NOTPAY": "pending",
    "ACCEPT": "pending",
    "CLOSED": "cancelled",
    "REVOKED": "cancelled",
    "PAYERROR": "declined",
}
"""``trade_state`` of the order → what the kiosk makes of it."""

UNKNOWN_ERRORS = frozenset({"SYSTEM_ERROR", "SYSTEMERROR", "BANKERROR", "FREQUENCY_LIMITED"})
"""Error codes that leave the order's fate open: query, never assume."""


class WechatPayConfig(CodePayTimings):
    """``payment: {type: wechatpay, ...}``: a direct merchant (普通商户) on APIv3."""

    type: Literal["wechatpay"] = Field(description="Discriminator: WeChat Pay payment codes")
    mchid: str = Field(min_length=1, max_length=32, description="Merchant id (商户号)")
    appid: str = Field(min_length=1, max_length=32, description="AppID bound to the merchant")
    cert_serial_no: str = Field(
        min_length=1, description="Serial number of the merchant API certificate"
    )
    private_key: Secret = Field(description="Merchant API private key (apiclient_key.pem)")
    platform_public_key: Secret = Field(description="WeChat Pay public key (微信支付公钥) PEM")
    platform_public_key_id: str = Field(
        min_length=1, description="Its id, PUB_KEY_ID_… (the Wechatpay-Serial it signs with)"
    )
    apiv3_key: Secret = Field(description="APIv3 key (decrypts notifications)")
    store_id: str = Field(min_length=1, max_length=32, description="scene_info.store_info.out_id")
    description: str = Field(default="smartstore", max_length=127, description="Order text")
    gateway_url: str = Field(default=GATEWAY, description="API host (tests: a local fake)")

    def build(self) -> PaymentSetup:
        from wechatpayv3.core import Core  # the SDK loads only where the adapter is used

        core = Core(
            mchid=self.mchid,
            cert_serial_no=self.cert_serial_no,
            private_key=self.private_key.read("payment.private_key"),
            apiv3_key=self.apiv3_key.read("payment.apiv3_key"),
            timeout=self.http_timeout_s,
            public_key=self.platform_public_key.read("payment.platform_public_key"),
            public_key_id=self.platform_public_key_id,
        )
        core._gate_way = self.gateway_url.rstrip("/")  # the SDK's only way to set the host
        return PaymentSetup(WechatPayAdapter(core, self))


class WechatPayAdapter:
    """A :class:`~kiosk.payment.base.PaymentAdapter` for WeChat Pay codepay."""

    provider = PROVIDER

    def __init__(self, core: Core, config: WechatPayConfig) -> None:
        self.core = core
        self.cfg = config
        self._stop = threading.Event()

    def _call(
        self, path: str, method: Literal["GET", "POST"], data: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One signed call; ``(0, {})`` when nothing trustworthy came back (network error,
        timeout, a signature that does not verify): the order's fate is unknown."""
        from wechatpayv3.type import RequestType

        try:
            status, text = self.core.request(path, method=RequestType(method), data=data)
        except Exception as exc:  # requests' errors, or the SDK's "failed to verify"
            log.warning("wechatpay %s %s: %s", method, path, exc)
            return 0, {}
        try:
            body = json.loads(text) if text else {}
        except (TypeError, ValueError):
            body = {}
        return int(status), body if isinstance(body, dict) else {}

    def _result(self, ref: str, status: ResultStatus, **kw: Any) -> PaymentResult:
        return PaymentResult(ref, status, provider=PROVIDER, **kw)

    def pay(self, request: PayRequest) -> PaymentResult:
        ref = request.reference
        if request.mode == "qr" or not request.payment_code:
            return self._result(ref, "declined", message="wechatpay takes payment codes only")
        body = {
            "appid": self.cfg.appid,
            "mchid": self.cfg.mchid,
            "description": self.cfg.description,
            "out_trade_no": ref,
            "payer": {"auth_code": request.payment_code},
            "amount": {"total": to_fen(request.amount), "currency": "CNY"},
            "scene_info": {"store_info": {"out_id": self.cfg.store_id}},
        }
        status, answer = self._call("/v3/pay/transactions/codepay", "POST", body)
        if status == 0 or status >= 500 or answer.get("code") in UNKNOWN_ERRORS:
            return self._result(ref, "timeout", amount=request.amount, message="no answer")
        if status >= 400:
            if answer.get("code") in ("OUT_TRADE_NO_USED", "ORDERPAID", "ORDER_PAID"):
                return self.query(ref)  # a retried reference: its order says what happened
            message = str(answer.get("message") or answer.get("code") or status)
            return self._result(ref, "declined", amount=request.amount, message=message)
        first = self._order(ref, answer, request.amount)
        if first.status != "pending":
            return first
        return wait_while_paying(
            lambda: self.query(ref), self.cfg.user_paying_timeout_s, self.cfg.poll_s, self._stop
        )

    def _order(self, ref: str, body: dict[str, Any], amount: Decimal) -> PaymentResult:
        state = str(body.get("trade_state", ""))
        total = (
            body.get("amount", {}).get("total") if isinstance(body.get("amount"), dict) else None
        )
        paid = Decimal(total) / 100 if isinstance(total, int) else amount
        return self._result(
            ref,
            STATES.get(state, "unknown"),
            amount=paid,
            auth_code=body.get("transaction_id"),
            message=str(body.get("trade_state_desc") or state),
        )

    def query(self, reference: str) -> PaymentResult:
        path = f"/v3/pay/transactions/out-trade-no/{reference}?mchid={self.cfg.mchid}"
        status, body = self._call(path, "GET")
        if status == 404 or body.get("code") == "ORDER_NOT_EXIST":
            return self._result(reference, "unknown", message="no such order")
        if status != 200:
            return self._result(reference, "unknown", message=str(body.get("code", "no answer")))
        return self._order(reference, body, Decimal(0))

    def cancel(self, reference: str) -> PaymentResult:
        """Reverse (撤销): closes an unpaid order, refunds a paid one. WeChat allows it for
        the order's first day, which covers every kiosk timeout."""
        path = f"/v3/pay/transactions/out-trade-no/{reference}/reverse"
        body = {"appid": self.cfg.appid, "mchid": self.cfg.mchid}
        status, answer = self._call(path, "POST", body)
        if status not in (200, 204):
            log.warning("wechatpay reverse %s: %s %s", reference, status, answer.get("code"))
        after = self.query(reference)
        if after.status == "unknown" and status in (200, 204):
            return self._result(reference, "cancelled", message="reversed")
        return after

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        order = self.query(original)
        if order.status != "approved":
            return self._result(reference, "declined", amount=amount, message="not paid")
        body = {
            "out_trade_no": original,
            "out_refund_no": reference,
            "amount": {
                "refund": to_fen(amount),
                "total": to_fen(order.amount),
                "currency": "CNY",
            },
        }
        status, answer = self._call("/v3/refund/domestic/refunds", "POST", body)
        if status == 200 and answer.get("status") in ("SUCCESS", "PROCESSING"):
            return self._result(
                reference, "approved", amount=amount, auth_code=answer.get("refund_id")
            )
        message = str(answer.get("message") or answer.get("code") or "no answer")
        return self._result(reference, "declined", amount=amount, message=message)

    def close(self) -> None:
        """Stops a "user paying" wait in progress (the kiosk is shutting down)."""
        self._stop.set()
