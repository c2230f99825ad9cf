"""The ``card`` adapter: an integrated card terminal on the LAN speaking the Adyen Terminal API
(Nexo "Sale to POI" JSON over HTTPS, locally encrypted: :mod:`kiosk.payment.nexo`).

- pay: ``PaymentRequest``; the terminal answers when the cardholder is done (tap, insert,
  PIN), so the request may take up to ``user_paying_timeout_s``.
- query: ``TransactionStatusRequest`` naming the payment's ServiceID (derived from our
  reference): the repeated ``PaymentResponse``, or ``InProgress`` / ``NotFound``.
- cancel: ``AbortRequest`` for a payment still waiting for the card, then a query.
- refund: ``ReversalRequest`` of the original POI transaction with ``ReversedAmount``
  (partial or full), checked first by a ``Reversal`` status query so a retry never pays twice.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import Field

from edge.config import Strict
from kiosk.payment.base import PaymentResult, PaymentSetup, PayRequest, ResultStatus
from kiosk.payment.nexo import NexoError, NexoKey, request, seal, service_id, unseal
from kiosk.payment.remote import Secret, yuan

log = logging.getLogger(__name__)

PROVIDER = "card"

FAILURES: dict[str, ResultStatus] = {
    "Aborted": "cancelled",
    "Cancel": "cancelled",
    "InProgress": "pending",
    "NotFound": "unknown",
    "Busy": "declined",
}
"""Nexo ``ErrorCondition`` → what the kiosk makes of it; any other failure is a decline."""


class CardTerminalConfig(Strict):
    """``payment: {type: card, ...}``: one terminal, one kiosk."""

    type: Literal["card"] = Field(description="Discriminator: a card terminal (Nexo)")
    url: str = Field(
        pattern=r"^https?://\S+$", description="Terminal endpoint, https://<terminal-ip>:8443/nexo"
    )
    poi_id: str = Field(
        min_length=1, max_length=64, description="Terminal id, e.g. V400m-324688179"
    )
    sale_id: str = Field(default="kiosk", min_length=1, max_length=64, description="This POS's id")
    key_identifier: str = Field(min_length=1, description="Shared key's id on the terminal")
    key_version: int = Field(default=1, ge=0, description="Shared key's version")
    passphrase: Secret = Field(description="Shared key's passphrase")
    ca_file: Path | None = Field(
        default=None, description="CA that signed the terminal's TLS certificate"
    )
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    http_timeout_s: float = Field(default=10, gt=0, le=60, description="Status, abort, refund")
    user_paying_timeout_s: float = Field(
        default=120, gt=0, le=600, description="How long the cardholder may take"
    )

    def build(self) -> PaymentSetup:
        key = NexoKey.derive(
            self.passphrase.read("payment.passphrase"), self.key_identifier, self.key_version
        )
        verify: bool | str = str(self.ca_file) if self.ca_file else True
        return PaymentSetup(CardTerminal(self, key, httpx.Client(verify=verify)))


class CardTerminal:
    """A :class:`~kiosk.payment.base.PaymentAdapter` for a Nexo terminal."""

    provider = PROVIDER

    def __init__(self, config: CardTerminalConfig, key: NexoKey, http: httpx.Client) -> None:
        self.cfg = config
        self.key = key
        self.http = http

    def _send(
        self, category: str, ref: str, body: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any] | None:
        """One request; the plaintext ``<category>Response`` body, or None when nothing
        trustworthy came back (timeout, network error, a message that does not verify).
        Payments and reversals take the ServiceID of their reference (a status query can
        name them later); status queries and aborts a fresh one each."""
        service = service_id(ref) if category in ("Payment", "Reversal") else uuid.uuid4().hex[:10]
        message = request(category, self.cfg.sale_id, self.cfg.poi_id, service, body)
        try:
            answer = self.http.post(
                self.cfg.url,
                json=seal(self.key, message),
                timeout=timeout or self.cfg.http_timeout_s,
            )
            if category == "Abort":
                return {}
            answer.raise_for_status()
            plain = unseal(self.key, answer.json())
        except (httpx.HTTPError, NexoError, ValueError) as exc:
            log.warning("card terminal %s %s: %s", category, ref, exc)
            return None
        found = plain.get("SaleToPOIResponse", {}).get(f"{category}Response")
        return found if isinstance(found, dict) else None

    def _result(self, ref: str, status: ResultStatus, **kw: Any) -> PaymentResult:
        return PaymentResult(ref, status, provider=PROVIDER, **kw)

    def pay(self, request_: PayRequest) -> PaymentResult:
        ref = request_.reference
        body = {
            "SaleData": {
                "SaleTransactionID": {"TransactionID": ref, "TimeStamp": _now()},
            },
            "PaymentTransaction": {
                "AmountsReq": {
                    "Currency": self.cfg.currency,
                    "RequestedAmount": Decimal(yuan(request_.amount)),
                }
            },
        }
        answer = self._send("Payment", ref, body, timeout=self.cfg.user_paying_timeout_s)
        if answer is None:
            return self._result(ref, "timeout", amount=request_.amount, message="no answer")
        return self._payment(ref, answer, request_.amount)

    def _payment(self, ref: str, answer: dict[str, Any], amount: Decimal) -> PaymentResult:
        response = answer.get("Response", {})
        poi = answer.get("POIData", {}).get("POITransactionID", {})
        if response.get("Result") == "Success":
            paid = answer.get("PaymentResult", {}).get("AmountsResp", {}).get("AuthorizedAmount")
            return self._result(
                ref,
                "approved",
                amount=Decimal(str(paid)) if paid is not None else amount,
                auth_code=poi.get("TransactionID"),
            )
        condition = str(response.get("ErrorCondition", ""))
        message = str(response.get("AdditionalResponse") or condition or "refused")
        return self._result(
            ref, FAILURES.get(condition, "declined"), amount=amount, message=message
        )

    def _status(self, ref: str, category: str) -> tuple[str, dict[str, Any]]:
        """(Result or ErrorCondition, the repeated response body) of ``ref``'s request."""
        body = {
            "MessageReference": {
                "MessageCategory": category,
                "SaleID": self.cfg.sale_id,
                "ServiceID": service_id(ref),
            }
        }
        answer = self._send("TransactionStatus", ref, body)
        if answer is None:
            return "NoAnswer", {}
        response = answer.get("Response", {})
        if response.get("Result") != "Success":
            return str(response.get("ErrorCondition", "NotFound")), {}
        repeated = answer.get("RepeatedMessageResponse", {}).get("RepeatedResponseMessageBody", {})
        found = repeated.get(f"{category}Response", {})
        return "Success", found if isinstance(found, dict) else {}

    def query(self, reference: str) -> PaymentResult:
        state, payment = self._status(reference, "Payment")
        if state == "Success" and payment:
            return self._payment(reference, payment, Decimal(0))
        if state == "NoAnswer":
            return self._result(reference, "unknown", message="no answer")
        return self._result(reference, FAILURES.get(state, "unknown"), message=state)

    def cancel(self, reference: str) -> PaymentResult:
        """Abort a payment still waiting for the card; a charge already made stays
        ``approved`` (the kiosk then keeps it: it is a tender, not a loss)."""
        body = {
            "AbortReason": "MerchantAbort",
            "MessageReference": {
                "MessageCategory": "Payment",
                "SaleID": self.cfg.sale_id,
                "ServiceID": service_id(reference),
                "POIID": self.cfg.poi_id,
            },
        }
        self._send("Abort", reference, body)
        deadline = time.monotonic() + self.cfg.http_timeout_s
        result = self.query(reference)
        while result.status == "pending" and time.monotonic() < deadline:
            time.sleep(0.2)
            result = self.query(reference)
        return result

    def refund(self, reference: str, original: str, amount: Decimal) -> PaymentResult:
        state, done = self._status(reference, "Reversal")
        if state == "Success" and done.get("Response", {}).get("Result") == "Success":
            return self._result(reference, "approved", amount=amount, message="already refunded")
        found, payment = self._status(original, "Payment")
        poi = payment.get("POIData", {}).get("POITransactionID")
        if found != "Success" or not poi or payment.get("Response", {}).get("Result") != "Success":
            return self._result(reference, "declined", amount=amount, message="not paid")
        body = {
            "OriginalPOITransaction": {"POITransactionID": poi},
            "ReversalReason": "MerchantCancel",
            "ReversedAmount": Decimal(yuan(amount)),
        }
        answer = self._send("Reversal", reference, body)
        response = (answer or {}).get("Response", {})
        if response.get("Result") == "Success":
            return self._result(reference, "approved", amount=amount)
        message = str(
            response.get("AdditionalResponse") or response.get("ErrorCondition") or "no answer"
        )
        return self._result(reference, "declined", amount=amount, message=message)

    def close(self) -> None:
        self.http.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
