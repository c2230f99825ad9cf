"""E-receipt tokens: the receipt QR opens ``{public_url}/r/{token}`` (SPEC §4), served by the
cloud with no login, so the token itself is the permission: signed, unguessable, and naming
the store and the sale.

``token = b64url(json [store, sale_id]) "." b64url(HMAC-SHA256(store_key, payload))[:22]``
(128 bits of MAC). Each store has its own key, derived by the cloud from its secret key, so a
kiosk holds only its own store's key: a stolen kiosk cannot mint receipts of other stores.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

RECEIPT_PATH = "/r/"
_LABEL = b"smartstore e-receipt v1:"
_MAC_CHARS = 22


def store_key(master: bytes, store: str) -> bytes:
    """The receipt key of ``store`` (the cloud derives it; the store's kiosks are given it)."""
    return hmac.new(master, _LABEL + store.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(key: bytes, store: str, sale_id: str) -> str:
    payload = _b64(json.dumps([store, sale_id], separators=(",", ":")).encode())
    mac = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())[:_MAC_CHARS]
    return f"{payload}.{mac}"


def read_token(token: str) -> tuple[str, str] | None:
    """(store, sale id) the token names, NOT verified (to find the key); None if malformed."""
    payload, _, mac = token.partition(".")
    if not payload or len(mac) != _MAC_CHARS or len(token) > 600:
        return None
    try:
        value = json.loads(_unb64(payload))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, str) and 0 < len(v) <= 200 for v in value)
    ):
        return value[0], value[1]
    return None


def verify_token(key: bytes, token: str) -> bool:
    payload, _, mac = token.partition(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())[:_MAC_CHARS]
    return hmac.compare_digest(expected, mac)


def receipt_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + RECEIPT_PATH + token
