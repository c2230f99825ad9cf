"""Scanning an item into the cart: label extras (expiry, printed price, weight), merging a
repeat scan of a unit item, and calling an attendant for age-restricted products.

A step of a :class:`~kiosk.domain.checkout.Checkout`: it edits the cart and returns a
:class:`~kiosk.domain.transitions.Change` for the machine to apply. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from contracts.pricebook import Product
from kiosk.domain.cart import CartLine
from kiosk.domain.expected_weight import expected_weight
from kiosk.domain.transitions import AttendantCall, Change
from kiosk.exceptions import ItemRejected

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


@dataclass(frozen=True)
class ItemInput:
    """What the scanner or the manual entry found: a product plus GS1 extras, if any."""

    product: Product
    gtin: str | None = None
    weight_kg: Decimal | None = None
    price: Decimal | None = None
    expiry: date | None = None


def add_item(co: Checkout, item: ItemInput) -> tuple[CartLine | None, Change]:
    """Add one scan (a unit item scanned again adds to its line); no line when refused."""
    co.guard("scan")
    product = item.product
    if item.expiry is not None and item.expiry < co.clock().date():
        refused = ItemRejected(f"{product.name} expired on {item.expiry}", "expired")
        return None, Change(failure="expired", refuse=refused)
    qty, override = quantity_and_price(item)
    line = (
        None if (product.weighed or override is not None) else co.cart.find_mergeable(product.sku)
    )
    if line is not None:
        line.qty += 1
    else:
        line = new_line(co.cart.new_line_id(), item, qty, override, co.settings.weight_check)
        co.cart.lines.append(line)
    calls: tuple[AttendantCall, ...] = ()
    if product.min_age and not line.age_approved:
        action = {"op": "age", "line_id": line.line_id}
        calls = (AttendantCall("age_restricted", f"{product.name}: {product.min_age}+", action),)
    return line, Change(event="scan", success=True, calls=calls)


def quantity_and_price(item: ItemInput) -> tuple[Decimal, Decimal | None]:
    """The line's quantity and price override: a price-embedded label is one unit at the
    printed price, weighed item or not; a weighed item without a label needs its weight.
    """
    product = item.product
    if item.price is not None:
        if item.price < 0:
            raise ItemRejected(f"{product.name}: bad label price", "bad_label")
        return Decimal(1), item.price
    if product.weighed:
        if item.weight_kg is None or item.weight_kg <= 0:
            raise ItemRejected(f"{product.name} must be weighed first", "needs_weight")
        return item.weight_kg, None
    return Decimal(1), None


def new_line(
    line_id: str,
    item: ItemInput,
    qty: Decimal,
    override: Decimal | None,
    weight_check: bool,
) -> CartLine:
    """A fresh cart line; the bagging scale checks it only if it has a known weight."""
    product = item.product
    unit_weight, tolerance = expected_weight(product)
    line = CartLine(
        line_id=line_id,
        sku=product.sku,
        gtin=item.gtin or (product.gtins[0] if product.gtins else "0" * 14),
        name=product.name,
        name_zh=product.name_zh,
        qty=qty,
        weighed=product.weighed,
        unit_weight_g=unit_weight,
        tolerance_g=tolerance,
        check_weight=weight_check and not product.no_weight_check,
        price_override=override,
        min_age=product.min_age,
    )
    if line.unit_grams is None or (product.weighed and override is not None):
        line.check_weight = False  # a priced label on a weighed item says no weight
    return line
