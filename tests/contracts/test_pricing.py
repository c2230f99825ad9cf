"""Unit tests of basket pricing: one or more per rule of contracts.pricing's docstring."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from contracts.messages import SaleData, Tender
from contracts.pricebook import PriceBook
from contracts.pricing import BasketLine, PricedBasket, PricingError, points_earned, price_basket

D = Decimal
AT = datetime(2024, 6, 5, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Asia/Shanghai


def product(sku: str, price: str, **extra: Any) -> dict[str, Any]:
    n = sum(ord(c) for c in sku)
    return {
        "sku": sku,
        "name": f"Item {sku}",
        "gtins": [f"{n:014d}"],
        "price": price,
        **extra,
    }


def make_book(*, promotions: Any = (), coupons: Any = (), **extra: Any) -> PriceBook:
    """A small book: tax 13% std / 9% food, a weighed item, a member price, a gift item."""
    data: dict[str, Any] = {
        "store": "demo",
        "version": 1,
        "published_at": "2024-06-01T00:00:00Z",
        "tax_classes": [
            {"code": "std", "rate": "0.13"},
            {"code": "food", "rate": "0.09"},
        ],
        "products": [
            product("cola", "3.50", category="drinks", member_price="3.00"),
            product("water", "2.00", category="drinks"),
            product("juice", "6.80", category="drinks"),
            product("chips", "7.90", category="snacks", tax_class="food"),
            product("nuts", "12.00", category="snacks", tax_class="food"),
            product("apple", "9.98", category="fruit", weighed=True, tax_class="food"),
            product("mug", "25.00", category="gifts"),
            product("old", "1.00", active=False),
            product("penny", "0.01", category="misc"),
        ],
        "promotions": list(promotions),
        "coupons": list(coupons),
        **extra,
    }
    return PriceBook.model_validate(data)


def lines(*items: tuple[str, str | int]) -> list[BasketLine]:
    return [BasketLine(line_id=f"l{i}", sku=s, qty=D(str(q))) for i, (s, q) in enumerate(items)]


def sale(result: PricedBasket) -> SaleData:
    """The sale event built from ``result`` and a cash tender: validation checks the balance."""
    return SaleData(
        sale_id="s1",
        completed_at=AT,
        currency=result.currency,
        lines=result.sale_lines(),
        subtotal=result.subtotal,
        discount_total=result.discount_total,
        tax_total=result.tax_total,
        total=result.total,
        tenders=[Tender(method="cash", amount=result.total)],
        change=D(0),
        tax_inclusive=result.tax_inclusive,
    )


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


def test_percent_off_rounds_per_unit_and_names_the_promotion() -> None:
    promo = {"kind": "percent_off", "id": "p15", "name": "15% drinks", "percent": "15"}
    promo["targets"] = {"categories": ["drinks"]}
    result = price_basket(make_book(promotions=[promo]), lines(("cola", 3), ("nuts", 1)), at=AT)
    cola = result.lines[0]
    # 3.50 × 15% = 0.525 → 0.53 per unit
    assert [(d.promotion, d.amount) for d in cola.discounts] == [("p15", D("1.59"))]
    assert result.lines[1].discounts == ()
    assert result.promotions_applied == ("p15",)
    sale(result)


def test_best_unit_offer_wins_not_both() -> None:
    promos = [
        {"kind": "percent_off", "id": "p10", "name": "10%", "percent": "10"},
        {"kind": "amount_off", "id": "a1", "name": "1 off", "amount": "1.00"},
    ]
    result = price_basket(make_book(promotions=promos), lines(("nuts", 1), ("water", 1)), at=AT)
    nuts, water = result.lines
    assert [d.promotion for d in nuts.discounts] == ["p10"]  # 1.20 > 1.00
    assert [d.promotion for d in water.discounts] == ["a1"]  # 1.00 > 0.20


def test_amount_off_never_exceeds_the_price() -> None:
    promo = {"kind": "amount_off", "id": "a5", "name": "5 off", "amount": "5.00"}
    result = price_basket(make_book(promotions=[promo]), lines(("water", 2)), at=AT)
    assert result.lines[0].net == D("0.00")
    assert result.total == D("0.00")


def test_amount_off_is_per_kg_on_weighed_items() -> None:
    promo = {"kind": "amount_off", "id": "a1", "name": "1/kg", "amount": "1.00"}
    result = price_basket(make_book(promotions=[promo]), lines(("apple", "1.5")), at=AT)
    assert result.lines[0].amount == D("14.97")
    assert result.lines[0].discounts[0].amount == D("1.50")


def test_buy_two_get_one_free_takes_the_cheapest_units() -> None:
    promo = {"kind": "buy_x_get_y", "id": "b2g1", "name": "3 for 2", "buy": 2, "get": 1}
    promo["targets"] = {"categories": ["drinks"]}
    basket = lines(("juice", 1), ("cola", 1), ("water", 1), ("juice", 2), ("water", 1))
    result = price_basket(make_book(promotions=[promo]), basket, at=AT)
    # units dearest first: 6.80 6.80 6.80 | 3.50 2.00 2.00 → free: 6.80 and 2.00
    assert result.discount_total == D("8.80")
    assert result.total == D("19.10")
    sale(result)


def test_buy_x_get_y_partial_chunk_gets_nothing() -> None:
    promo = {"kind": "buy_x_get_y", "id": "b2g1", "name": "3 for 2", "buy": 2, "get": 1}
    result = price_basket(make_book(promotions=[promo]), lines(("water", 2)), at=AT)
    assert result.discount_total == D("0.00")
    assert result.promotions_applied == ()


def test_buy_one_get_one_half_price() -> None:
    promo = {"kind": "buy_x_get_y", "id": "bogo", "name": "2nd half", "buy": 1, "get": 1}
    promo["percent"] = "50"
    result = price_basket(make_book(promotions=[promo]), lines(("chips", 2)), at=AT)
    assert result.discount_total == D("3.95")


def test_bundle_price_apportions_the_saving_over_units() -> None:
    promo = {"kind": "bundle_price", "id": "snk", "name": "any 2 snacks 15", "quantity": 2}
    promo |= {"price": "15.00", "targets": {"categories": ["snacks"]}}
    result = price_basket(make_book(promotions=[promo]), lines(("chips", 1), ("nuts", 1)), at=AT)
    assert result.total == D("15.00")
    chips, nuts = result.lines
    # saving 4.90 split by price 7.90 : 12.00
    assert chips.discounts[0].amount + nuts.discounts[0].amount == D("4.90")
    assert nuts.discounts[0].amount == D("2.95")
    sale(result)


def test_unit_consuming_promotion_is_skipped_when_a_unit_offer_is_better() -> None:
    promos = [
        {"kind": "bundle_price", "id": "bun", "name": "2 for 23", "quantity": 2, "price": "23.00"},
        {"kind": "percent_off", "id": "half", "name": "half", "percent": "50"},
    ]
    result = price_basket(make_book(promotions=promos), lines(("nuts", 2)), at=AT)
    assert result.promotions_applied == ("half",)
    assert result.total == D("12.00")


def test_one_item_level_promotion_per_unit() -> None:
    promos = [
        {"kind": "buy_x_get_y", "id": "b1g1", "name": "1+1", "buy": 1, "get": 1},
        {"kind": "percent_off", "id": "p10", "name": "10%", "percent": "10"},
    ]
    result = price_basket(make_book(promotions=promos), lines(("nuts", 3)), at=AT)
    # two units in the 1+1 (12.00 off), the third takes 10% (1.20)
    assert result.discount_total == D("13.20")
    assert {d.promotion for d in result.lines[0].discounts} == {"b1g1", "p10"}


def test_spend_x_save_y_repeats_and_sums_exactly() -> None:
    promo = {"kind": "spend_x_save_y", "id": "mj", "name": "满30减5", "threshold": "30.00"}
    promo |= {"save": "5.00", "repeat": True}
    basket = lines(("nuts", 3), ("chips", 1), ("penny", 1), ("cola", 3))
    result = price_basket(make_book(promotions=[promo]), basket, at=AT)
    # 36.00 + 7.90 + 0.01 + 10.50 = 54.41 → one whole 30 → 5.00
    assert result.discount_total == D("5.00")
    shares = [d.amount for ln in result.lines for d in ln.discounts if d.promotion == "mj"]
    assert sum(shares) == D("5.00")
    assert all(ln.net >= 0 for ln in result.lines)
    promo["repeat"] = False
    promo["threshold"] = "20.00"
    once = price_basket(make_book(promotions=[promo]), basket, at=AT)
    assert once.discount_total == D("5.00")


def test_spend_threshold_is_measured_after_item_discounts() -> None:
    promos = [
        {"kind": "percent_off", "id": "p10", "name": "10%", "percent": "10"},
        {"kind": "spend_x_save_y", "id": "mj", "name": "30-5", "threshold": "30", "save": "5"},
    ]
    result = price_basket(make_book(promotions=promos), lines(("juice", 3), ("water", 5)), at=AT)
    # 30.40 regular, 27.37 after 10% → below 30
    assert "mj" not in result.promotions_applied


def test_gift_item_adds_a_free_line() -> None:
    promo = {"kind": "gift_item", "id": "mug", "name": "free mug", "threshold": "20"}
    promo |= {"gift_sku": "mug", "targets": {"categories": ["snacks"]}}
    result = price_basket(make_book(promotions=[promo]), lines(("nuts", 2)), at=AT)
    (gift,) = result.gifts
    assert gift.sku == "mug"
    assert gift.gift
    assert gift.amount == D("25.00")
    assert gift.net == D("0.00")
    assert gift.discounts[0].promotion == "mug"
    assert result.total == D("24.00")
    assert len(result.sale_lines()) == 2
    sale(result)
    below = price_basket(make_book(promotions=[promo]), lines(("nuts", 1)), at=AT)
    assert below.gifts == ()


def test_gift_with_unknown_sku_is_ignored_not_a_crash() -> None:
    promo = {"kind": "gift_item", "id": "g", "name": "g", "threshold": "1", "gift_sku": "nope"}
    assert price_basket(make_book(promotions=[promo]), lines(("nuts", 1)), at=AT).gifts == ()


@pytest.mark.parametrize(
    ("window", "active"),
    [
        ({"starts_at": "2024-06-05T04:00:00Z"}, True),
        ({"starts_at": "2024-06-05T04:00:01Z"}, False),
        ({"ends_at": "2024-06-05T04:00:00Z"}, False),
        ({"days_of_week": [2]}, True),  # Wednesday in Shanghai
        ({"days_of_week": [0, 1, 3, 4, 5, 6]}, False),
        ({"hours": [12, 13]}, True),  # 12:00 local, 04:00 UTC
        ({"hours": [4, 5]}, False),
    ],
)
def test_windows_use_utc_instants_and_local_wall_clock(window: Any, active: bool) -> None:
    promo = {"kind": "percent_off", "id": "w", "name": "w", "percent": "10", "window": window}
    result = price_basket(make_book(promotions=[promo]), lines(("nuts", 1)), at=AT)
    assert (result.promotions_applied == ("w",)) is active


def test_local_tz_overrides_the_book_timezone() -> None:
    promo = {"kind": "percent_off", "id": "w", "name": "w", "percent": "10"}
    promo["window"] = {"hours": [4, 5]}
    result = price_basket(make_book(promotions=[promo]), lines(("nuts", 1)), at=AT, local_tz="UTC")
    assert result.promotions_applied == ("w",)


def test_members_only_promotion() -> None:
    promo = {"kind": "percent_off", "id": "m", "name": "m", "percent": "10", "members_only": True}
    book = make_book(promotions=[promo])
    assert price_basket(book, lines(("nuts", 1)), at=AT).promotions_applied == ()
    assert price_basket(book, lines(("nuts", 1)), at=AT, member=True).promotions_applied == ("m",)


COUPONS = [
    {"id": "c10", "name": "10% off", "prefix": "TEN", "kind": "percent_off", "value": "10"},
    {"id": "c5", "name": "5 off 30", "prefix": "FIVE", "kind": "amount_off", "value": "5"},
    {"id": "c5x", "name": "5 off snacks", "prefix": "FIVEX", "kind": "amount_off", "value": "5"},
]
COUPONS[1]["min_spend"] = "30"
COUPONS[2]["targets"] = {"categories": ["snacks"]}


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
