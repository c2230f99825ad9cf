"""The scanning part: every scanned or typed code goes where :mod:`kiosk.domain.scanning`
says (a payment code to the payments part, a member card or coupon to the members part, a
product into the cart).

Scans from the scanner package's service (:mod:`kiosk.scanner`) arrive on its thread through
:meth:`Scanning.on_scanned`; a refused item (unknown, expired, blocked) is shown on the screen
and logged, never raised back into the scanner loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kiosk.domain.cart import CartLine
from kiosk.domain.scanning import find_item, is_known_code, route_code
from kiosk.exceptions import CheckoutError, ItemRejected, KioskError
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.gs1 import ScannedCode, interpret
from kiosk.shell.members import Members
from kiosk.shell.payment import Payments
from kiosk.shell.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanRules:
    """How codes are read; a pushed config replaces them live."""

    member_card_prefix: str = "MC"
    gs1: Gs1Config = field(default_factory=Gs1Config)


class Scanning:
    def __init__(
        self,
        session: Session,
        payments: Payments,
        members: Members,
        rules: ScanRules,
        bag: Callable[[Decimal], None] | None = None,
    ) -> None:
        """``bag``: the demo shopper's hand on a fake scale (``auto_bag``), or None."""
        self.session = session
        self.payments = payments
        self.members = members
        self.rules = rules
        self.bag = bag

    def scan(
        self,
        text: str,
        *,
        gtin: str | None = None,
        weight_kg: Decimal | None = None,
        price: Decimal | None = None,
        expiry: date | None = None,
        payment_code: bool = False,
    ) -> str:
        """Route any scanned/typed code: payment code, member card, coupon, then product."""
        session, rules, code = self.session, self.rules, text.strip()
        kind = route_code(
            code,
            payment_code=payment_code,
            member_prefix=rules.member_card_prefix,
            coupon_prefixes=self._coupon_prefixes(),
        )
        if kind == "payment":
            self.payments.pay_mobile_code(code)
        elif kind == "member":
            session.act(lambda: session.co.attach_member("card", code))
        elif kind == "coupon":
            self.members.apply_coupon(code)  # online check first, refusals with a reason
        else:
            item = find_item(
                code,
                session.co.catalog,
                lambda label: interpret(label, "unknown", rules.gs1),
                gtin=gtin,
                weight_kg=weight_kg,
                price=price,
                expiry=expiry,
            )

            def add() -> CartLine:
                if item is None:
                    session.co.record_failure("unknown item")
                    raise ItemRejected(f"unknown item {code}", "unknown_item")
                return session.co.add_item(item)

            line = session.act(add)
            self.added(line, line.qty if line.weighed or line.price_override else Decimal(1))
        return kind

    def add_product(self, sku: str) -> None:
        """Manual entry picked from the search: the product's barcode, as if scanned."""
        product = self.session.co.catalog.by_sku(sku)
        if product is None:
            raise CheckoutError("unknown item", "unknown_item")
        self.scan(product.gtins[0] if product.gtins else product.sku)

    def added(self, line: CartLine, units: Decimal) -> None:
        """``units`` of ``line`` went into the cart: the demo shopper bags them a moment later."""
        grams = units * (line.unit_grams or 0)
        if self.bag is not None and line.check_weight and grams > 0:
            self.bag(grams)

    def is_known(self, code: str) -> bool:
        """For the scanner's confirmation step: product, coupon, member card or payment code."""
        return is_known_code(
            code,
            self.session.co.catalog,
            member_prefix=self.rules.member_card_prefix,
            coupon_prefixes=self._coupon_prefixes(),
        )

    def on_scanned(self, code: ScannedCode) -> None:
        """A scan from the scanner's thread; refusals are on the screen, and logged here."""
        text = code.payment_code or code.gtin or code.text
        try:
            self.scan(
                text,
                gtin=code.gtin,
                weight_kg=code.weight_kg,
                price=code.price,
                expiry=code.expiry,
                payment_code=code.payment_code is not None,
            )
        except KioskError as exc:
            log.info("scan %s refused: %s", text, exc)

    def _coupon_prefixes(self) -> list[str]:
        return [rule.prefix for rule in self.session.co.book.coupons]
