"""Freezing a paid cart into the sale record."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from contracts.pricing import price_basket
from contracts.pricing_model import BasketLine
from kiosk.domain.cart import Cart, Member
from kiosk.domain.payment import Ledger, TenderRecord
from kiosk.domain.sale import build_sale
from tests.kiosk.books import BREAD, NOW, demo_book


def test_points_lead_the_tenders_and_the_member_is_kept() -> None:
    cart = Cart("cart-1", NOW, member=Member("card", "MC-1", tier="gold"), points=200)
    ledger = Ledger(
        tenders=[TenderRecord("cash", D("5.50")), TenderRecord("card", D(3), "r1")],
        change=D("0.50"),
    )
    priced = price_basket(
        demo_book(),
        [BasketLine("L1", "bread", D(1), gtin=BREAD)],
        at=NOW,
        member=True,
        points=200,
    )
    sale = build_sale(cart, ledger, priced, 7, NOW)
    extras = sale.model_dump()  # the version and the tier travel as payload extras
    assert (sale.sale_id, sale.completed_at, extras["pricebook_version"]) == ("cart-1", NOW, 7)
    assert [(t.method, t.amount, t.reference) for t in sale.tenders] == [
        ("points", D(2), "200"),
        ("cash", D("5.50"), ""),
        ("card", D(3), "r1"),
    ]
    assert extras["member"] == {"card": "MC-1"}
    assert extras["member_tier"] == "gold"
    assert sale.change == D("0.50")
    assert sale.total == priced.total


def test_an_anonymous_sale_without_points_has_only_money_tenders() -> None:
    priced = price_basket(demo_book(), [BasketLine("L1", "bread", D(2), gtin=BREAD)], at=NOW)
    sale = build_sale(Cart("cart-2", NOW), Ledger([TenderRecord("card", D(24))]), priced, 1, NOW)
    assert sale.member is None
    extras = sale.model_dump()
    assert (extras["member_tier"], extras["points_redeemed"]) == (None, 0)
    assert [t.method for t in sale.tenders] == ["card"]
    assert sale.total == D("24.00")
