"""Shopper payment codes shown by mobile wallets (付款码), recognised by prefix and length.

WeChat Pay: 18 digits starting 10–15. Alipay: 16–24 digits starting 25–30. Anything else is
not a payment code, so a product barcode is never mistaken for one.
"""

from __future__ import annotations

from typing import Literal

Wallet = Literal["wechat", "alipay"]


def classify_payment_code(text: str) -> Wallet | None:
    code = text.strip()
    if not code.isdigit():
        return None
    head = int(code[:2]) if len(code) >= 2 else -1
    if len(code) == 18 and 10 <= head <= 15:
        return "wechat"
    if 16 <= len(code) <= 24 and 25 <= head <= 30:
        return "alipay"
    return None
