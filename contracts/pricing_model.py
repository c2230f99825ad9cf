"""Inputs and results of basket pricing (see :mod:`contracts.pricing` for the rules).

Kept apart from the algorithm so the kiosk, the cloud and the receipt code can share the
result types without pulling in the pricing internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from contracts.exceptions import ContractError
from contracts.messages import Discount, SaleLine
from contracts.money import format_decimal


class PricingError(ContractError):
    """The basket cannot be priced: unknown or inactive SKU, bad quantity, naive time, bad tz."""


@dataclass(frozen=True)
class BasketLine:
    """One cart line as the checkout holds it.

    ``qty`` is units (a whole number) or kilograms for weighed products. ``price_override`` is
    a *unit* price (per unit, or per kg) that replaces the book price: an attendant override,
    or the price printed in a price-embedded variable-measure barcode, which the checkout
    passes as ``qty=1`` with the label price. Overridden lines take no item-level promotion
    but still count towards spend thresholds and coupons.
    """

    line_id: str
    sku: str
    qty: Decimal
    gtin: str | None = None
    price_override: Decimal | None = None


@dataclass(frozen=True)
class AppliedDiscount:
    """A discount on one line; ``promotion`` is the promotion/coupon-rule id or ``rounding``."""

    promotion: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class PricedLine:
    """A priced line; ``net = amount - Σ discounts`` and ``tax`` is part of it when inclusive."""

    line_id: str
    sku: str
    gtin: str
    name: str
    qty: Decimal
    unit_price: Decimal
    amount: Decimal
    discounts: tuple[AppliedDiscount, ...]
    net: Decimal
    tax_rate: Decimal
    tax: Decimal
    name_zh: str | None = None
    weighed: bool = False
    gift: bool = False

    @property
    def discount_total(self) -> Decimal:
        return sum((d.amount for d in self.discounts), Decimal("0.00"))

    def sale_line(self) -> SaleLine:
        return SaleLine(
            gtin=self.gtin,
            name=self.name,
            qty=self.qty,
            unit_price=self.unit_price,
            amount=self.amount,
            discounts=[Discount(promotion=d.promotion, amount=d.amount) for d in self.discounts],
        )


@dataclass(frozen=True)
class PricedBasket:
    """The priced basket; ``total = subtotal - discount_total (+ tax_total when exclusive)``.

    ``gifts`` are lines added by gift promotions: their ``amount`` is the regular price and one
    discount of the same amount names the gift promotion, so they cost nothing yet stay
    visible in stock and promotion-cost reports. ``points_value`` is not subtracted from
    ``total``: points are a tender (method ``points``) the checkout adds to the payment.
    """

    lines: tuple[PricedLine, ...]
    gifts: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    rounding_adjustment: Decimal
    coupons_applied: tuple[str, ...]
    coupons_rejected: tuple[tuple[str, str], ...]
    points_redeemed: int
    points_value: Decimal
    promotions_applied: tuple[str, ...]
    currency: str = "CNY"
    tax_inclusive: bool = True
    tax_by_rate: tuple[tuple[Decimal, Decimal], ...] = field(default=())

    @property
    def all_lines(self) -> tuple[PricedLine, ...]:
        return self.lines + self.gifts

    @property
    def due(self) -> Decimal:
        """What is left to pay in money once the redeemed points are tendered."""
        return self.total - self.points_value

    def sale_lines(self) -> list[SaleLine]:
        """Lines (gifts included) in the ``sale`` event form; they sum to ``subtotal``."""
        return [line.sale_line() for line in self.all_lines]

    def describe(self) -> str:
        """One line for logs, e.g. ``3 lines, total 12.30 CNY``."""
        return f"{len(self.lines)} lines, total {format_decimal(self.total)} {self.currency}"
