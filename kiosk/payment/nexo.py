"""Nexo (ISO 20022 "Sale to POI") messages as the Adyen Terminal API carries them over the
LAN, and their local encryption (decision 0200).

Every message is ``{"SaleToPOIRequest"|"SaleToPOIResponse": {"MessageHeader": {...},
"<Category>Request"|"<Category>Response": {...}}}``. On the wire the body is replaced by
``NexoBlob`` (AES-256-CBC of the whole message) and a ``SecurityTrailer`` (key id and version,
a random ``Nonce``, ``Hmac`` = HMAC-SHA256 of the plaintext): keys come from the shared
passphrase by PBKDF2-HMAC-SHA1 (salt ``AdyenNexoV1Salt``, 4000 rounds, 80 bytes = HMAC key,
cipher key, IV; the IV is XORed with the nonce). A message whose HMAC fails is not believed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SALT = b"AdyenNexoV1Salt"
ROUNDS = 4000


class NexoError(Exception):
    """A message that cannot be read or whose HMAC does not hold."""


@dataclass(frozen=True)
class NexoKey:
    """The derived keys of one passphrase, with its id and version on the terminal."""

    identifier: str
    version: int
    hmac_key: bytes
    cipher_key: bytes
    iv: bytes

    @classmethod
    def derive(cls, passphrase: str, identifier: str, version: int) -> NexoKey:
        raw = hashlib.pbkdf2_hmac("sha1", passphrase.encode(), SALT, ROUNDS, 80)
        return cls(identifier, version, raw[:32], raw[32:64], raw[64:80])


def service_id(reference: str) -> str:
    """A 10-character ServiceID (the Nexo limit) that the same reference always gets, so a
    query after a crash can name the payment it asks about."""
    return hashlib.sha256(reference.encode()).hexdigest()[:10]


def _iv(key: NexoKey, nonce: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(key.iv, nonce, strict=True))


def seal(key: NexoKey, message: dict[str, Any]) -> dict[str, Any]:
    """The message as sent: header in clear, body encrypted, HMAC in the trailer."""
    (kind,) = message
    plain = json.dumps(message, default=_number).encode()
    nonce = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key.cipher_key), modes.CBC(_iv(key, nonce))).encryptor()
    blob = enc.update(data) + enc.finalize()
    return {
        kind: {
            "MessageHeader": message[kind]["MessageHeader"],
            "NexoBlob": base64.b64encode(blob).decode(),
            "SecurityTrailer": {
                "AdyenCryptoVersion": 1,
                "KeyIdentifier": key.identifier,
                "KeyVersion": key.version,
                "Nonce": base64.b64encode(nonce).decode(),
                "Hmac": base64.b64encode(
                    hmac.new(key.hmac_key, plain, hashlib.sha256).digest()
                ).decode(),
            },
        }
    }


def unseal(key: NexoKey, wire: dict[str, Any]) -> dict[str, Any]:
    """The plaintext message of ``wire``; :class:`NexoError` if it is not ours or altered."""
    try:
        (kind,) = wire
        body = wire[kind]
        trailer = body["SecurityTrailer"]
        if trailer.get("KeyIdentifier") != key.identifier:
            raise NexoError("unknown key identifier")
        nonce = base64.b64decode(trailer["Nonce"])
        blob = base64.b64decode(body["NexoBlob"])
        dec = Cipher(algorithms.AES(key.cipher_key), modes.CBC(_iv(key, nonce))).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(dec.update(blob) + dec.finalize()) + unpadder.finalize()
        mac = hmac.new(key.hmac_key, plain, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, base64.b64decode(trailer["Hmac"])):
            raise NexoError("HMAC does not match")
        message = json.loads(plain, parse_float=Decimal)
    except NexoError:
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise NexoError(f"unreadable message: {exc}") from exc
    if not isinstance(message, dict) or kind not in message:
        raise NexoError("not a Nexo message")
    return message


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # two decimals, exact enough for JSON's number
    raise TypeError(f"not JSON: {type(value).__name__}")


def header(
    category: str, sale_id: str, poi_id: str, service: str, kind: str = "Request"
) -> dict[str, str]:
    return {
        "ProtocolVersion": "3.0",
        "MessageClass": "Service",
        "MessageCategory": category,
        "MessageType": kind,
        "SaleID": sale_id,
        "ServiceID": service,
        "POIID": poi_id,
    }


def request(
    category: str, sale_id: str, poi_id: str, service: str, body: dict[str, Any]
) -> dict[str, Any]:
    return {
        "SaleToPOIRequest": {
            "MessageHeader": header(category, sale_id, poi_id, service),
            f"{category}Request": body,
        }
    }
