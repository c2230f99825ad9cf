"""A fake card terminal for tests speaking the Adyen Terminal API (Nexo JSON, local
encryption: each request's NexoBlob decrypted and its HMAC checked, each answer sealed).

Outcomes of the next PaymentRequests are scripted: ``success``; ``refusal``; ``wait`` (the
cardholder has not presented a card: the request stays open, InProgress, until
:meth:`FakeTerminal.present_card` or an AbortRequest); ``drop`` (charged, the connection dies
before the answer); ``bad_mac`` (charged, the answer's HMAC is wrong); ``busy``.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from kiosk.payment.nexo import NexoError, NexoKey, header, seal, unseal
from tests.kiosk.payment.fake_http import LoopbackServer, Script

POI_ID = "V400m-324688179"
KEY_ID = "kiosk-key"
PASSPHRASE = "correct horse battery staple"


@dataclass
class Payment:
    reference: str
    amount: Decimal
    result: str = "InProgress"  # Success, or a Failure's ErrorCondition
    poi_tx: dict[str, str] = field(default_factory=dict)
    released: threading.Event = field(default_factory=threading.Event)
    reversed: Decimal = Decimal(0)


class FakeTerminal:
    def __init__(self) -> None:
        self.key = NexoKey.derive(PASSPHRASE, KEY_ID, 1)
        self.script = Script()
        self.payments: dict[str, Payment] = {}  # by ServiceID
        self.reversals: dict[str, Decimal] = {}  # by ServiceID
        self.lock = threading.Lock()
        self.server = LoopbackServer(_Handler, self)

    @property
    def url(self) -> str:
        return self.server.url + "/nexo"

    def __enter__(self) -> FakeTerminal:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.payments.values():
            p.released.set()
        self.server.stop()

    def charged(self) -> dict[str, Decimal]:
        """Our reference → what the cardholder is out of pocket on it now."""
        with self.lock:
            return {
                p.reference: p.amount - p.reversed
                for p in self.payments.values()
                if p.result == "Success"
            }

    def by_reference(self, reference: str) -> Payment:
        return next(p for p in self.payments.values() if p.reference == reference)

    def present_card(self, reference: str) -> None:
        """The cardholder taps and enters the PIN: the waiting payment is approved."""
        with self.lock:
            p = self.by_reference(reference)
            p.result = "Success"
        p.released.set()

    # The API ---------------------------------------------------------------------------

    def payment(self, service: str, req: dict[str, Any]) -> tuple[dict[str, Any], str]:
        ref = req["SaleData"]["SaleTransactionID"]["TransactionID"]
        amount = Decimal(str(req["PaymentTransaction"]["AmountsReq"]["RequestedAmount"]))
        outcome = self.script.next()
        if outcome == "busy":
            return _failure("Busy"), "ok"
        p = Payment(ref, amount, poi_tx={"TransactionID": uuid.uuid4().hex, "TimeStamp": _now()})
        with self.lock:
            self.payments[service] = p
        if outcome == "refusal":
            p.result = "Refusal"
        elif outcome == "wait":
            p.released.wait(60)
        else:
            p.result = "Success"
        how = outcome if outcome in ("drop", "bad_mac") else "ok"
        return self.payment_response(p), how

    def payment_response(self, p: Payment) -> dict[str, Any]:
        if p.result != "Success":
            return {**_failure(p.result), "POIData": {"POITransactionID": p.poi_tx}}
        return {
            "Response": {"Result": "Success"},
            "POIData": {"POITransactionID": p.poi_tx},
            "SaleData": {"SaleTransactionID": {"TransactionID": p.reference}},
            "PaymentResult": {
                "AmountsResp": {"AuthorizedAmount": p.amount, "Currency": "CNY"},
                "PaymentAcquirerData": {"ApprovalCode": "123456"},
            },
        }

    def status(self, req: dict[str, Any]) -> dict[str, Any]:
        ref = req["MessageReference"]
        service, category = ref["ServiceID"], ref["MessageCategory"]
        with self.lock:
            if category == "Reversal":
                if service not in self.reversals:
                    return _failure("NotFound")
                body = {"ReversalResponse": {"Response": {"Result": "Success"}}}
            else:
                p = self.payments.get(service)
                if p is None:
                    return _failure("NotFound")
                if p.result == "InProgress":
                    return _failure("InProgress")
                body = {"PaymentResponse": self.payment_response(p)}
        return {
            "Response": {"Result": "Success"},
            "RepeatedMessageResponse": {"RepeatedResponseMessageBody": body},
        }

    def abort(self, req: dict[str, Any]) -> None:
        with self.lock:
            p = self.payments.get(req["MessageReference"]["ServiceID"])
            if p is not None and p.result == "InProgress":
                p.result = "Aborted"
        if p is not None:
            p.released.set()

    def reversal(self, service: str, req: dict[str, Any]) -> dict[str, Any]:
        poi = req["OriginalPOITransaction"]["POITransactionID"]["TransactionID"]
        amount = Decimal(str(req["ReversedAmount"]))
        with self.lock:
            p = next((p for p in self.payments.values() if p.poi_tx["TransactionID"] == poi), None)
            if p is None or p.result != "Success":
                return _failure("NotFound")
            if service not in self.reversals:
                if p.reversed + amount > p.amount:
                    return {
                        **_failure("NotAllowed"),
                        "Response": {
                            "Result": "Failure",
                            "ErrorCondition": "NotAllowed",
                            "AdditionalResponse": "amount exceeds what is left",
                        },
                    }
                p.reversed += amount
                self.reversals[service] = amount
            return {"Response": {"Result": "Success"}, "POIData": {"POITransactionID": p.poi_tx}}


def _failure(condition: str) -> dict[str, Any]:
    return {"Response": {"Result": "Failure", "ErrorCondition": condition}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        fake: FakeTerminal = self.server.fake  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            message = unseal(fake.key, json.loads(raw))["SaleToPOIRequest"]
        except (NexoError, ValueError, KeyError):
            self.send_response(401)
            self.end_headers()
            return
        head = message["MessageHeader"]
        category, service = head["MessageCategory"], head["ServiceID"]
        req = message.get(f"{category}Request", {})
        how = "ok"
        if category == "Payment":
            body, how = fake.payment(service, req)
        elif category == "TransactionStatus":
            body = fake.status(req)
        elif category == "Reversal":
            body = fake.reversal(service, req)
        elif category == "Abort":
            fake.abort(req)
            self._send(b"ok")
            return
        else:
            body = _failure("MessageFormat")
        if how == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        answer = {
            "SaleToPOIResponse": {
                "MessageHeader": {**header(category, head["SaleID"], POI_ID, service, "Response")},
                f"{category}Response": body,
            }
        }
        sealed = seal(NexoKey.derive("wrong", KEY_ID, 1) if how == "bad_mac" else fake.key, answer)
        self._send(json.dumps(sealed).encode())

    def _send(self, data: bytes) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the kiosk is gone (killed while the cardholder was paying)


def card_config(tmp: Path, fake: FakeTerminal, **extra: Any) -> dict[str, Any]:
    """The ``payment:`` section for a kiosk talking to ``fake``; the passphrase in a file."""
    (tmp / "card").mkdir(parents=True, exist_ok=True)
    secret = tmp / "card" / "passphrase"
    secret.write_text(PASSPHRASE)
    return {
        "type": "card",
        "url": fake.url,
        "poi_id": POI_ID,
        "sale_id": "kiosk-1",
        "key_identifier": KEY_ID,
        "passphrase": {"file": str(secret)},
        "http_timeout_s": 2,
        "user_paying_timeout_s": 1.5,
        **extra,
    }
