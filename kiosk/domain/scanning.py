"""Where a scanned or typed code goes, and which product it names. Pure.

One order for every input path (scanner, keyboard wedge, keypad): payment code, member card,
coupon, then product. The shell's scanning part acts on the answer; nothing here touches the
checkout. Shopper payment codes shown by mobile wallets (付款码) are recognised by prefix and
length: WeChat Pay 18 digits starting 10–15, Alipay 16–24 digits starting 25–30; anything
else is not a payment code, so a product barcode is never mistaken for one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from kiosk.domain.catalog import Catalog
from kiosk.domain.item_entry import ItemInput

CodeKind = Literal["payment", "member", "coupon", "item"]
Wallet = Literal["wechat", "alipay"]


class Label(Protocol):
    """A code read as a GS1 label (``kiosk.scanner.gs1.ScannedCode``): its lookup GTIN and
    the weight, price and expiry printed in it, if any."""

    @property
    def gtin(self) -> str | None: ...

    @property
    def weight_kg(self) -> Decimal | None: ...

    @property
    def price(self) -> Decimal | None: ...

    @property
    def expiry(self) -> date | None: ...


LabelReader = Callable[[str], Label]
"""Reads typed or wedge-scanned text as a GS1 label, under the store's variable-measure rules."""


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


def route_code(
    code: str, *, payment_code: bool, member_prefix: str, coupon_prefixes: Iterable[str]
) -> CodeKind:
    """What a stripped code is; ``payment_code`` is the scanner's own verdict, if it had one."""
    if payment_code or classify_payment_code(code):
        return "payment"
    if code.startswith(member_prefix) and len(code) > len(member_prefix):
        return "member"
    if any(code.startswith(prefix) for prefix in coupon_prefixes):
        return "coupon"
    return "item"


def is_known_code(
    code: str, catalog: Catalog, *, member_prefix: str, coupon_prefixes: Iterable[str]
) -> bool:
    """For the scanner's confirmation step: product, member card, payment code or coupon."""
    return (
        catalog.lookup(code) is not None
        or code.startswith(member_prefix)
        or classify_payment_code(code) is not None
        or any(code.startswith(prefix) for prefix in coupon_prefixes)
    )


def find_item(
    code: str,
    catalog: Catalog,
    read_label: LabelReader,
    *,
    gtin: str | None = None,
    weight_kg: Decimal | None = None,
    price: Decimal | None = None,
    expiry: date | None = None,
) -> ItemInput | None:
    """The product a code names with its label extras, or None for an unknown item.

    Text that arrives without extras (typed, or from a keyboard-wedge scanner) is read as a
    GS1 label, so weight, price and expiry embedded in it still count.
    """
    if gtin is None and weight_kg is None and price is None and expiry is None:
        read = read_label(code)
        if read.gtin is not None:
            gtin, weight_kg, price, expiry = read.gtin, read.weight_kg, read.price, read.expiry
    product = catalog.by_gtin(gtin) if gtin else None
    if product is None:
        # a label's weight/price belong to its key; never to a product found another way
        weight_kg = price = None
        product = catalog.lookup(code)
    if product is None:
        return None
    return ItemInput(product, gtin=gtin, weight_kg=weight_kg, price=price, expiry=expiry)
