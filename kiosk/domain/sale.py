"""Freezing a paid cart into the :class:`~contracts.messages.SaleData` the shell writes,
prints and publishes. Pure: the caller passes the priced basket and the time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from contracts.messages import SaleData, Tender
from contracts.pricing_model import PricedBasket
from kiosk.domain.cart import Cart
from kiosk.domain.payment import Ledger
from kiosk.domain.transitions import Change

if TYPE_CHECKING:
    from kiosk.domain.checkout import Checkout


def build_sale(
    cart: Cart,
    ledger: Ledger,
    priced: PricedBasket,
    pricebook_version: int,
    completed_at: datetime,
) -> SaleData:
    """The sale record; redeemed points lead the tenders, then the ledger's in the order taken."""
    tenders = [
        Tender(
            method=t.method,
            amount=t.amount,
            reference=t.reference,
            provider=t.provider or t.method,
        )
        for t in ledger.tenders
    ]
    if priced.points_value > 0:
        tenders.insert(
            0,
            Tender(
                method="points",
                amount=priced.points_value,
                reference=str(priced.points_redeemed),
                provider="points",
            ),
        )
    return SaleData(
        sale_id=cart.cart_id,
        completed_at=completed_at,
        currency=priced.currency,
        member=cart.member.as_payload() if cart.member else None,
        lines=priced.sale_lines(),
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        tenders=tenders,
        change=ledger.change,
        tax_inclusive=priced.tax_inclusive,
        points_redeemed=priced.points_redeemed,
        coupons=list(priced.coupons_applied),
        pricebook_version=pricebook_version,
        member_tier=cart.member.tier if cart.member else None,
    )


def complete(co: Checkout) -> tuple[SaleData, Change]:
    """Every tender is in: freeze the sale. The shell writes it with its outbox row."""
    co.guard("paid")
    sale = build_sale(co.cart, co.ledger, co.priced(), co.book.version, co.clock())
    return sale, Change(event="paid")
