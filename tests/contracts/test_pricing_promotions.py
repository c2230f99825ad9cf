"""Item and basket promotions in basket pricing: unit offers, buy-x-get-y, bundles, spend
thresholds, gifts, windows and members-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contracts.pricing import price_basket
from tests.contracts.pricing_book import AT, lines, make_book, sale

D = Decimal


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
