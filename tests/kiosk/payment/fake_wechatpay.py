"""A fake WeChat Pay APIv3 host for tests, written from pay.weixin.qq.com's documents.

Checks each request's ``Authorization: WECHATPAY2-SHA256-RSA2048`` signature against the
merchant's public key (``METHOD\\nURL\\nts\\nnonce\\nbody\\n``) and signs every answer with the
platform key (``Wechatpay-Signature`` over ``ts\\nnonce\\nbody\\n``, ``Wechatpay-Serial`` = the
public key id). Outcomes of the next codepay calls are scripted:

``success``; ``userpaying:N`` (the shopper confirms after N queries); ``userpaying`` (never);
``not_enough`` (declined); ``drop`` (charged, but the connection dies before the answer);
``bad_signature`` (charged, answer signed with the wrong key); ``system_error`` (5xx, nothing
charged).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.kiosk.payment.fake_http import KeyPair, LoopbackServer, Script

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
APIV3_KEY = "a" * 32
CODE = "134567890123456789"
"""A WeChat payment code: 18 digits starting 10–15."""


@dataclass
class Order:
    total: int
    auth_code: str
    state: str
    transaction_id: str
    polls_left: int = -1
    refunds: dict[str, int] = field(default_factory=dict)


class FakeWechatPay:
    def __init__(self, merchant: KeyPair, platform: KeyPair) -> None:
        self.merchant_public = serialization.load_pem_public_key(merchant.public_pem.encode())
        self.platform = platform.private
        self.script = Script()
        self.orders: dict[str, Order] = {}
        self.codepay_calls = 0
        self.lock = threading.Lock()
        self.server = LoopbackServer(_Handler, self)

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> FakeWechatPay:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def charged(self) -> dict[str, int]:
        """out_trade_no → fen of every order that holds the shopper's money now."""
        with self.lock:
            return {
                no: o.total - sum(o.refunds.values())
                for no, o in self.orders.items()
                if o.state in ("SUCCESS", "REFUND")
            }

    # Signatures ------------------------------------------------------------------------

    def verify_request(self, method: str, target: str, body: str, auth: str) -> bool:
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        parts = dict(re.findall(r'(\w+)="([^"]*)"', auth))
        if parts.get("mchid") != MCHID or parts.get("serial_no") != SERIAL:
            return False
        message = (
            f"{method}\n{target}\n{parts.get('timestamp')}\n{parts.get('nonce_str')}\n{body}\n"
        )
        assert isinstance(self.merchant_public, rsa.RSAPublicKey)
        try:
            self.merchant_public.verify(
                base64.b64decode(parts.get("signature", "")),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return False
        return abs(time.time() - int(parts.get("timestamp", "0"))) < 300

    def sign(self, body: str, key: rsa.RSAPrivateKey | None = None) -> dict[str, str]:
        ts, nonce = str(int(time.time())), uuid.uuid4().hex
        signed = (key or self.platform).sign(
            f"{ts}\n{nonce}\n{body}\n".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": base64.b64encode(signed).decode(),
            "Wechatpay-Serial": PUB_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    # The API ---------------------------------------------------------------------------

    def codepay(self, req: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
        """(status, body, how to answer: ok / drop / bad_signature)."""
        no, code = req["out_trade_no"], req["payer"]["auth_code"]
        total = int(req["amount"]["total"])
        with self.lock:
            self.codepay_calls += 1
            if no in self.orders:
                return 400, {"code": "OUT_TRADE_NO_USED", "message": "商户订单号重复"}, "ok"
            outcome = self.script.next()
            if outcome == "system_error":
                return 500, {"code": "SYSTEM_ERROR", "message": "系统繁忙,请稍后重试"}, "ok"
            if outcome == "not_enough":
                return 403, {"code": "NOT_ENOUGH", "message": "用户账户余额不足"}, "ok"
            order = Order(total, code, "SUCCESS", "4200" + uuid.uuid4().hex[:24])
            if outcome.startswith("userpaying"):
                order.state = "USERPAYING"
                order.polls_left = int(outcome.split(":")[1]) if ":" in outcome else -1
            self.orders[no] = order
            how = outcome if outcome in ("drop", "bad_signature") else "ok"
            return 200, self._order_body(no, order), how

    def _order_body(self, no: str, o: Order) -> dict[str, Any]:
        body: dict[str, Any] = {"trade_state": o.state, "out_trade_no": no}
        if o.state != "USERPAYING":
            body.update(
                appid=APPID,
                mchid=MCHID,
                transaction_id=o.transaction_id,
                amount={"total": o.total, "currency": "CNY", "payer_total": o.total},
                trade_state_desc="支付成功" if o.state == "SUCCESS" else o.state,
            )
        return body

    def query(self, no: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            o = self.orders.get(no)
            if o is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            if o.state == "USERPAYING" and o.polls_left > 0:
                o.polls_left -= 1
                if o.polls_left == 0:
                    o.state = "SUCCESS"
            return 200, self._order_body(no, o)

    def reverse(self, no: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            o = self.orders.get(no)
            if o is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            o.state = "REVOKED"
            return 200, {"appid": APPID, "mchid": MCHID, "out_trade_no": no}

    def refund(self, req: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        no, rno, fen = req["out_trade_no"], req["out_refund_no"], int(req["amount"]["refund"])
        with self.lock:
            o = self.orders.get(no)
            if o is None or o.state not in ("SUCCESS", "REFUND"):
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
            if int(req["amount"]["total"]) != o.total:
                return 400, {"code": "INVALID_REQUEST", "message": "订单金额与原订单不符"}
            if rno not in o.refunds:
                if sum(o.refunds.values()) + fen > o.total:
                    return 403, {"code": "NOT_ENOUGH", "message": "退款金额超过订单可退金额"}
                o.refunds[rno] = fen
                o.state = "REFUND"
            body = {
                "refund_id": "5030" + rno[-12:],
                "out_refund_no": rno,
                "out_trade_no": no,
                "status": "SUCCESS",
                "amount": {"refund": o.refunds[rno], "total": o.total, "currency": "CNY"},
            }
            return 200, body


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    @property
    def fake(self) -> FakeWechatPay:
        fake: FakeWechatPay = self.server.fake  # type: ignore[attr-defined]
        return fake

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        fake = self.fake
        if not fake.verify_request(method, self.path, raw, self.headers.get("Authorization", "")):
            self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
            return
        url = urlsplit(self.path)
        how = "ok"
        m = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)(/reverse)?", url.path)
        if method == "POST" and url.path == "/v3/pay/transactions/codepay":
            status, body, how = fake.codepay(json.loads(raw))
        elif method == "POST" and url.path == "/v3/refund/domestic/refunds":
            status, body = fake.refund(json.loads(raw))
        elif m and method == "GET" and parse_qs(url.query).get("mchid") == [MCHID]:
            status, body = fake.query(m.group(1))
        elif m and method == "POST" and m.group(2):
            status, body = fake.reverse(m.group(1))
        else:
            status, body = 404, {"code": "NOT_FOUND", "message": "no such API"}
        if how == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # the charge is made; its answer is lost
            return
        self._answer(status, body, wrong_key=how == "bad_signature")

    def _answer(self, status: int, body: dict[str, Any], wrong_key: bool = False) -> None:
        text = json.dumps(body, ensure_ascii=False)
        key = KeyPair.new().private if wrong_key else None
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(text.encode())))
        for name, value in self.fake.sign(text, key).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(text.encode())


def wechat_config(
    tmp: Path, fake: FakeWechatPay, merchant: KeyPair, platform: KeyPair, **extra: Any
) -> dict[str, Any]:
    """The ``payment:`` section for a kiosk talking to ``fake``; keys in files under ``tmp``."""
    key_file, _ = merchant.write(tmp / "wechat", "merchant")
    _, pub_file = platform.write(tmp / "wechat", "platform")
    v3 = tmp / "wechat" / "apiv3.key"
    v3.write_text(APIV3_KEY)
    return {
        "type": "wechatpay",
        "mchid": MCHID,
        "appid": APPID,
        "cert_serial_no": SERIAL,
        "private_key": {"file": str(key_file)},
        "platform_public_key": {"file": str(pub_file)},
        "platform_public_key_id": PUB_KEY_ID,
        "apiv3_key": {"file": str(v3)},
        "store_id": "demo",
        "gateway_url": fake.url,
        "http_timeout_s": 2,
        "user_paying_timeout_s": 1.5,
        "poll_s": 0.1,
        **extra,
    }
