"""Coupons in basket pricing: applied in order, rejected with a reason."""

from __future__ import annotations

from decimal import Decimal

from contracts.pricing import price_basket
from tests.contracts.pricing_book import AT, COUPONS, lines, make_book, sale

D = Decimal


def test_coupons_apply_and_reject_with_reasons() -> None:
    book = make_book(coupons=COUPONS)
    basket = lines(("nuts", 2), ("cola", 2))
    codes = ["FIVE-1", "TEN-1", "TEN-2", "BOGUS", "FIVE-1", "FIVEX-9"]
    result = price_basket(book, basket, at=AT, coupons=codes)
    assert result.coupons_applied == ("TEN-1", "FIVE-1", "FIVEX-9")
    assert dict(result.coupons_rejected) == {
        "BOGUS": "unknown",
        "FIVE-1": "duplicate",
        "TEN-2": "one_per_campaign",
    }
    # 31.00 → TEN 10%: 3.10 → FIVE (min spend 30 met before coupons): 5.00 → FIVEX: 5.00
    assert result.discount_total == D("13.10")
    assert result.total == D("17.90")
    names = {d.promotion for ln in result.lines for d in ln.discounts}
    assert names == {"c10", "c5", "c5x"}
    sale(result)


def test_coupon_min_spend_and_window() -> None:
    closed = dict(COUPONS[0], window={"ends_at": "2024-01-01T00:00:00Z"})
    book = make_book(coupons=[COUPONS[1], closed])
    result = price_basket(book, lines(("water", 1)), at=AT, coupons=["FIVE-1", "TEN-1"])
    assert dict(result.coupons_rejected) == {"FIVE-1": "below_min_spend", "TEN-1": "not_active"}
    assert result.total == D("2.00")
    none = price_basket(
        make_book(coupons=[COUPONS[2]]), lines(("water", 1)), at=AT, coupons=["FIVEX"]
    )
    assert none.coupons_rejected == (("FIVEX", "no_eligible_items"),)
