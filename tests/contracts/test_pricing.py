"""Unit tests of basket pricing: one or more per rule of contracts.pricing's docstring.

Prices, tax, rounding, points and bad input here; promotions and coupons in their own
modules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from contracts.pricing import BasketLine, PricingError, points_earned, price_basket
from tests.contracts.pricing_book import AT, lines, make_book, sale

D = Decimal


def test_regular_prices_and_inclusive_tax_by_rate() -> None:
    result = price_basket(make_book(), lines(("cola", 2), ("chips", 1)), at=AT)
    assert result.subtotal == D("14.90")
    assert result.discount_total == D("0.00")
    assert result.total == D("14.90")
    # 7.00 × 0.13/1.13 = 0.805… → 0.81; 7.90 × 0.09/1.09 = 0.652… → 0.65
    assert [ln.tax for ln in result.lines] == [D("0.81"), D("0.65")]
    assert result.tax_total == D("1.46")
    assert result.tax_by_rate == ((D("0.09"), D("0.65")), (D("0.13"), D("0.81")))
    sale(result)


def test_member_price_only_with_a_member() -> None:
    basket = lines(("cola", 2))
    assert price_basket(make_book(), basket, at=AT).total == D("7.00")
    member = price_basket(make_book(), basket, at=AT, member=True)
    assert member.lines[0].unit_price == D("3.00")
    assert member.total == D("6.00")


def test_exclusive_tax_is_added_to_the_total() -> None:
    book = make_book(tax_inclusive=False)
    result = price_basket(book, lines(("water", 3)), at=AT)
    assert result.tax_total == D("0.78")
    assert result.total == D("6.78")
    sale(result)


def test_weighed_item_amount_rounds_half_up() -> None:
    result = price_basket(make_book(), lines(("apple", "0.455")), at=AT)
    # 0.455 kg × 9.98 = 4.5409 → 4.54
    assert result.lines[0].amount == D("4.54")
    assert result.lines[0].weighed


def test_cash_rounding_goes_down_as_a_rounding_discount() -> None:
    book = make_book(rounding="0.10")
    result = price_basket(book, lines(("cola", 1), ("chips", 1), ("penny", 4)), at=AT)
    # 3.50 + 7.90 + 0.04 = 11.44 → 11.40
    assert result.total == D("11.40")
    assert result.rounding_adjustment == D("-0.04")
    rounding = [d for ln in result.lines for d in ln.discounts if d.promotion == "rounding"]
    assert [d.amount for d in rounding] == [D("0.04")]
    sale(result)


def test_rounding_with_exclusive_tax_keeps_the_balance() -> None:
    book = make_book(rounding="0.50", tax_inclusive=False)
    result = price_basket(book, lines(("chips", 1), ("water", 1)), at=AT)
    assert result.total % D("0.50") == 0
    sale(result)


def test_points_are_capped_to_the_total_and_reported_as_tender_value() -> None:
    book = make_book()
    result = price_basket(book, lines(("water", 1)), at=AT, points=1000)
    assert result.points_redeemed == 200
    assert result.points_value == D("2.00")
    assert result.total == D("2.00")  # points do not lower the total: they pay it
    assert result.due == D("0.00")
    small = price_basket(book, lines(("water", 1)), at=AT, points=150)
    assert (small.points_redeemed, small.points_value) == (150, D("1.50"))


def test_points_earned_floors_and_ignores_negative() -> None:
    book = make_book(points={"earn_per_unit": "2"})
    assert points_earned(book, D("10.99")) == 21
    assert points_earned(book, D("-5")) == 0


def test_price_override_replaces_the_price_and_skips_item_promotions() -> None:
    promo = {"kind": "percent_off", "id": "p", "name": "p", "percent": "50"}
    basket = [BasketLine("l1", "nuts", D(1), price_override=D("8.00"))]
    result = price_basket(make_book(promotions=[promo]), basket, at=AT)
    assert result.lines[0].unit_price == D("8.00")
    assert result.total == D("8.00")


def test_line_gtin_is_kept_and_defaults_to_the_product() -> None:
    basket = [
        BasketLine("l1", "water", D(1), gtin="02000000012342"),
        BasketLine("l2", "cola", D(1)),
    ]
    result = price_basket(make_book(), basket, at=AT)
    assert result.lines[0].gtin == "02000000012342"
    assert len(result.lines[1].gtin) == 14


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (BasketLine("l1", "ghost", D(1)), "unknown sku"),
        (BasketLine("l1", "old", D(1)), "not for sale"),
        (BasketLine("l1", "water", D("1.5")), "whole units"),
        (BasketLine("l1", "water", D(0)), "positive"),
        (BasketLine("l1", "water", D("-1")), "positive"),
        (BasketLine("l1", "water", D("NaN")), "positive"),
        (BasketLine("l1", "water", D(10**6)), "whole units"),
        (BasketLine("l1", "apple", D(5000)), "plausible"),
        (BasketLine("l1", "water", D(1), price_override=D("-1")), "override"),
        (BasketLine("l1", "water", D(1), gtin="123"), "GTIN"),
    ],
)
def test_bad_lines_raise_pricing_error(line: BasketLine, message: str) -> None:
    with pytest.raises(PricingError, match=message):
        price_basket(make_book(), [line], at=AT)


def test_bad_call_arguments_raise_pricing_error() -> None:
    book = make_book()
    with pytest.raises(PricingError, match="timezone-aware"):
        price_basket(book, lines(("water", 1)), at=datetime(2024, 1, 1))
    with pytest.raises(PricingError, match="timezone"):
        price_basket(book, lines(("water", 1)), at=AT, local_tz="Mars/Olympus")
    with pytest.raises(PricingError, match="duplicate"):
        price_basket(book, [BasketLine("a", "water", D(1))] * 2, at=AT)
    with pytest.raises(PricingError, match="negative"):
        price_basket(book, lines(("water", 1)), at=AT, points=-1)


def test_empty_basket_prices_to_zero() -> None:
    result = price_basket(make_book(rounding="0.10"), [], at=AT, points=10)
    assert (result.total, result.points_redeemed) == (D("0.00"), 0)


def test_index_is_cached_per_book_and_rebuilt_for_a_new_one() -> None:
    from contracts.pricing_index import index_for

    book = make_book()
    assert index_for(book) is index_for(book)
    assert index_for(make_book()) is not index_for(book)
