"""A fake Alipay openapi gateway for tests, written from opendocs.alipay.com (当面付).

Requests: the common parameters and ``biz_content`` (JSON) in the query string, ``sign`` =
RSA2 (SHA256withRSA) over the other parameters sorted and joined ``k=v&…``, checked with the
app's public key. Answers: ``{"<method>_response": {...}, "sign": "..."}`` with ``sign`` over
the response object's exact JSON text, made with Alipay's key. Outcomes of the next
``alipay.trade.pay`` calls are scripted:

``success``; ``waitpay:N`` (the shopper confirms after N queries); ``waitpay`` (never);
``declined`` (ACQ.PAYMENT_AUTH_CODE_INVALID); ``drop`` (paid, the connection dies before the
answer); ``bad_signature`` (paid, answer signed with the wrong key); ``system_error`` (20000).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.kiosk.payment.fake_http import KeyPair, LoopbackServer, Script

APP_ID = "2021000117600000"
CODE = "284567890123456789"
"""An Alipay payment code: 16–24 digits starting 25–30."""


@dataclass
class Trade:
    total: Decimal
    auth_code: str
    status: str
    trade_no: str
    polls_left: int = -1
    refunds: dict[str, Decimal] = field(default_factory=dict)


def _fail(sub_code: str, sub_msg: str) -> dict[str, Any]:
    return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}


class FakeAlipay:
    def __init__(self, app: KeyPair, alipay: KeyPair) -> None:
        self.app_public = serialization.load_pem_public_key(app.public_pem.encode())
        self.key = alipay.private
        self.script = Script()
        self.trades: dict[str, Trade] = {}
        self.pay_calls = 0
        self.lock = threading.Lock()
        self.server = LoopbackServer(_Handler, self)

    @property
    def url(self) -> str:
        return self.server.url + "/gateway.do"

    def __enter__(self) -> FakeAlipay:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def charged(self) -> dict[str, Decimal]:
        """out_trade_no → what the shopper is out of pocket on it now."""
        with self.lock:
            return {
                no: t.total - sum(t.refunds.values(), Decimal(0))
                for no, t in self.trades.items()
                if t.status in ("TRADE_SUCCESS", "TRADE_CLOSED_REFUNDED")
            }

    def verify(self, params: dict[str, str]) -> bool:
        sign = params.pop("sign", "")
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        assert isinstance(self.app_public, rsa.RSAPublicKey)
        try:
            self.app_public.verify(
                base64.b64decode(sign), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return params.get("app_id") == APP_ID and params.get("sign_type") == "RSA2"

    def answer(self, method: str, body: dict[str, Any], wrong_key: bool = False) -> str:
        inner = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        key = KeyPair.new().private if wrong_key else self.key
        sign = key.sign(inner.encode(), padding.PKCS1v15(), hashes.SHA256())
        name = method.replace(".", "_") + "_response"
        return f'{{"{name}":{inner},"sign":"{base64.b64encode(sign).decode()}"}}'

    # The API ---------------------------------------------------------------------------

    def pay(self, biz: dict[str, Any]) -> tuple[dict[str, Any], str]:
        no = biz["out_trade_no"]
        with self.lock:
            self.pay_calls += 1
            if no in self.trades:
                return _fail("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"), "ok"
            outcome = self.script.next()
            if outcome == "system_error":
                return {"code": "20000", "msg": "Service Currently Unavailable"}, "ok"
            if outcome == "declined" or biz["scene"] not in ("bar_code", "security_code"):
                return _fail(
                    "ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败"
                ), "ok"
            trade = Trade(
                Decimal(biz["total_amount"]),
                biz["auth_code"],
                "TRADE_SUCCESS",
                "2026" + uuid.uuid4().hex[:24],
            )
            self.trades[no] = trade
            if outcome.startswith("waitpay"):
                trade.status = "WAIT_BUYER_PAY"
                trade.polls_left = int(outcome.split(":")[1]) if ":" in outcome else -1
                return {
                    "code": "10003",
                    "msg": "order success pay inprocess",
                    **self._trade(no, trade),
                }, "ok"
            how = outcome if outcome in ("drop", "bad_signature") else "ok"
            return {"code": "10000", "msg": "Success", **self._trade(no, trade)}, how

    def _trade(self, no: str, t: Trade) -> dict[str, Any]:
        return {"out_trade_no": no, "trade_no": t.trade_no, "total_amount": f"{t.total:.2f}"}

    def query(self, biz: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            t = self.trades.get(biz.get("out_trade_no", ""))
            if t is None:
                return _fail("ACQ.TRADE_NOT_EXIST", "交易不存在")
            if t.status == "WAIT_BUYER_PAY" and t.polls_left > 0:
                t.polls_left -= 1
                if t.polls_left == 0:
                    t.status = "TRADE_SUCCESS"
            status = "TRADE_CLOSED" if t.status == "TRADE_CLOSED_REFUNDED" else t.status
            return {
                "code": "10000",
                "msg": "Success",
                "trade_status": status,
                **self._trade(biz["out_trade_no"], t),
            }

    def cancel(self, biz: dict[str, Any]) -> dict[str, Any]:
        no = biz.get("out_trade_no", "")
        with self.lock:
            t = self.trades.get(no)
            if t is None:
                return _fail("ACQ.TRADE_NOT_EXIST", "交易不存在") | {"retry_flag": "N"}
            action = "refund" if t.status == "TRADE_SUCCESS" else "close"
            t.status = "TRADE_CLOSED"
            return {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": no,
                "retry_flag": "N",
                "action": action,
            }

    def refund(self, biz: dict[str, Any]) -> dict[str, Any]:
        no = biz.get("out_trade_no", "")
        rno = biz.get("out_request_no", no)
        amount = Decimal(biz["refund_amount"])
        with self.lock:
            t = self.trades.get(no)
            if t is None or t.status not in ("TRADE_SUCCESS", "TRADE_CLOSED_REFUNDED"):
                return _fail("ACQ.TRADE_NOT_EXIST", "交易不存在")
            change = "N"
            if rno not in t.refunds:
                if sum(t.refunds.values(), Decimal(0)) + amount > t.total:
                    return _fail("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
                t.refunds[rno], change = amount, "Y"
                if sum(t.refunds.values(), Decimal(0)) == t.total:
                    t.status = "TRADE_CLOSED_REFUNDED"
            fee = sum(t.refunds.values(), Decimal(0))
            return {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": no,
                "trade_no": t.trade_no,
                "fund_change": change,
                "refund_fee": f"{fee:.2f}",
            }


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        fake: FakeAlipay = self.server.fake  # type: ignore[attr-defined]
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        method = params.get("method", "")
        if not fake.verify(dict(params)):
            error = {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
                "sub_msg": "验签出错",
            }
            self._send(json.dumps({"error_response": error}, ensure_ascii=False))
            return
        biz = json.loads(params.get("biz_content") or "{}")
        how = "ok"
        if method == "alipay.trade.pay":
            body, how = fake.pay(biz)
        elif method == "alipay.trade.query":
            body = fake.query(biz)
        elif method == "alipay.trade.cancel":
            body = fake.cancel(biz)
        elif method == "alipay.trade.refund":
            body = fake.refund(biz)
        else:
            body = {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
        if how == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # the trade is paid; its answer is lost
            return
        self._send(fake.answer(method, body, wrong_key=how == "bad_signature"))

    def _send(self, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def alipay_config(
    tmp: Path, fake: FakeAlipay, app: KeyPair, alipay: KeyPair, **extra: Any
) -> dict[str, Any]:
    """The ``payment:`` section for a kiosk talking to ``fake``; keys in files under ``tmp``."""
    key_file, _ = app.write(tmp / "alipay", "app")
    _, pub_file = alipay.write(tmp / "alipay", "alipay")
    return {
        "type": "alipay",
        "app_id": APP_ID,
        "app_private_key": {"file": str(key_file)},
        "alipay_public_key": {"file": str(pub_file)},
        "store_id": "demo",
        "gateway_url": fake.url,
        "http_timeout_s": 2,
        "user_paying_timeout_s": 1.5,
        "poll_s": 0.1,
        **extra,
    }
