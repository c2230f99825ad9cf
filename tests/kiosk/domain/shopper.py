"""What the checkout tests' shopper does most: scan a product of the demo book by its GTIN."""

from __future__ import annotations

from kiosk.domain.checkout import Checkout
from kiosk.domain.item_entry import ItemInput


def add(co: Checkout, gtin: str, **kw: object) -> str:
    """Scan ``gtin`` (with GS1 extras as keywords); returns the cart line's id."""
    product = co.catalog.by_gtin(gtin)
    assert product is not None
    return co.add_item(ItemInput(product, **kw)).line_id  # type: ignore[arg-type]
