"""The receipt QR read back at the return desk: a fixed URL prefix, then the sale id. Pure."""

from __future__ import annotations

from kiosk.exceptions import ReturnError

RECEIPT_URL = "https://r.smartstore.invalid/"
"""Prefix of the receipt QR (kiosk.receipts); what follows is the sale id."""


def sale_id_from(text: str) -> str:
    """The sale id in a scanned receipt QR (``https://r…/<sale id>``) or a typed number."""
    value = text.strip()
    if value.startswith(RECEIPT_URL):
        value = value[len(RECEIPT_URL) :].split("?", 1)[0].strip("/")
    if not value or len(value) > 200 or any(c.isspace() for c in value):
        raise ReturnError("not a receipt code or sale number", "bad_receipt")
    return value
