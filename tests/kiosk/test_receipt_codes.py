"""Reading a sale id back from a receipt QR or a typed sale number."""

from __future__ import annotations

import pytest

from kiosk.exceptions import ReturnError
from kiosk.receipt_codes import RECEIPT_URL, sale_id_from


@pytest.mark.parametrize(
    ("text", "sale_id"),
    [
        (f"{RECEIPT_URL}K1-0001", "K1-0001"),
        (f" {RECEIPT_URL}K1-0001/?utm=x ", "K1-0001"),
        ("K1-0002\n", "K1-0002"),
    ],
)
def test_qr_or_number(text: str, sale_id: str) -> None:
    assert sale_id_from(text) == sale_id


@pytest.mark.parametrize("text", ["", "   ", RECEIPT_URL, "K1 0001", "K" * 201])
def test_not_a_receipt(text: str) -> None:
    with pytest.raises(ReturnError) as err:
        sale_id_from(text)
    assert err.value.code == "bad_receipt"
