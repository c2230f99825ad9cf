"""Property tests of pricing: balance, non-negativity, scan-order and line-split independence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.messages import SaleData, Tender
from contracts.pricebook import PriceBook
from contracts.pricing import BasketLine, PricedBasket, price_basket
from contracts.pricing_rules import apportion
from tests.contracts.pricing_book import AT, COUPONS, make_book

D = Decimal
UNIT_SKUS = ["cola", "water", "juice", "chips", "nuts", "penny"]
TARGETS = st.sampled_from(
    [
        {},
        {"categories": ["drinks"]},
        {"categories": ["snacks"]},
        {"skus": ["cola", "nuts"]},
        {"skus": ["penny"], "categories": ["drinks"]},
    ]
)
MONEY = st.decimals(min_value=D("0.01"), max_value=D("40"), places=2)


def _promo(kind: str, **fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "kind": st.just(kind),
            "targets": TARGETS,
            "priority": st.integers(0, 3),
            "members_only": st.booleans(),
            **fields,
        }
    )


PROMOS = st.one_of(
    _promo("percent_off", percent=st.decimals(min_value=1, max_value=100, places=1)),
    _promo("amount_off", amount=MONEY),
    _promo("buy_x_get_y", buy=st.integers(1, 3), get=st.integers(1, 2)),
    _promo("bundle_price", quantity=st.integers(2, 4), price=MONEY),
    _promo("spend_x_save_y", threshold=MONEY, save=MONEY, repeat=st.booleans()),
    _promo("gift_item", threshold=MONEY, gift_sku=st.sampled_from(["mug", "water"])),
)


@st.composite
def books(draw: st.DrawFn) -> PriceBook:
    promos = draw(st.lists(PROMOS, max_size=6))
    for i, promo in enumerate(promos):
        promo |= {"id": f"p{i}", "name": f"promo {i}"}
    return make_book(
        promotions=promos,
        coupons=COUPONS,
        tax_inclusive=draw(st.booleans()),
        rounding=draw(st.sampled_from(["0.01", "0.05", "0.10", "0.50", "1.00"])),
    )


BASKETS = st.lists(st.tuples(st.sampled_from(UNIT_SKUS), st.integers(1, 6)), min_size=1, max_size=8)
CODES = st.lists(st.sampled_from(["TEN-1", "FIVE-1", "FIVEX-1", "NOPE", "TEN-2"]), max_size=3)


def _basket(items: list[tuple[str, int]]) -> list[BasketLine]:
    return [BasketLine(f"l{i:02d}", sku, D(qty)) for i, (sku, qty) in enumerate(items)]


def _totals(result: PricedBasket) -> tuple[Decimal, ...]:
    return (
        result.subtotal,
        result.discount_total,
        result.tax_total,
        result.total,
        result.rounding_adjustment,
        result.points_value,
    )


def _sale(result: PricedBasket, tenders: list[Tender], change: Decimal) -> SaleData:
    return SaleData(
        sale_id="s",
        completed_at=AT,
        currency=result.currency,
        lines=result.sale_lines(),
        subtotal=result.subtotal,
        discount_total=result.discount_total,
        tax_total=result.tax_total,
        total=result.total,
        tenders=tenders,
        change=change,
        tax_inclusive=result.tax_inclusive,
    )


@settings(max_examples=300, deadline=None)
@given(books(), BASKETS, st.booleans(), CODES, st.integers(0, 5000))
def test_totals_balance_and_are_never_negative(
    book: PriceBook, items: list[tuple[str, int]], member: bool, codes: list[str], points: int
) -> None:
    result = price_basket(book, _basket(items), at=AT, member=member, coupons=codes, points=points)
    for line in result.all_lines:
        assert line.net >= 0
        assert line.net == line.amount - line.discount_total
        assert all(d.amount > 0 and d.promotion for d in line.discounts)
    assert result.total >= 0
    assert 0 <= result.points_value <= result.total
    # A cash tender rounded up to the next 10 with change, after the points tender.
    due = result.total - result.points_value
    cash = (due / 10).to_integral_value(rounding="ROUND_CEILING") * 10
    tenders = [Tender(method="cash", amount=cash)]
    if result.points_value:
        tenders.append(Tender(method="points", amount=result.points_value))
    _sale(result, tenders, cash - due)
    step = book.rounding
    if step > D("0.01") and result.total:
        lines_net = sum(ln.net for ln in result.lines)
        assert result.total % step == 0 or lines_net == 0


@settings(max_examples=200, deadline=None)
@given(books(), BASKETS, st.booleans(), CODES, st.randoms(use_true_random=False))
def test_scan_order_does_not_change_totals(
    book: PriceBook, items: list[tuple[str, int]], member: bool, codes: list[str], rnd: Any
) -> None:
    basket = _basket(items)
    shuffled = basket[:]
    rnd.shuffle(shuffled)
    codes_shuffled = codes[:]
    rnd.shuffle(codes_shuffled)
    first = price_basket(book, basket, at=AT, member=member, coupons=codes)
    second = price_basket(book, shuffled, at=AT, member=member, coupons=codes_shuffled)
    assert _totals(first) == _totals(second)
    assert sorted(first.coupons_applied) == sorted(second.coupons_applied)
    assert [ln.line_id for ln in second.lines] == [ln.line_id for ln in shuffled]


@settings(max_examples=200, deadline=None)
@given(books(), BASKETS, st.booleans(), CODES)
def test_splitting_a_line_into_units_does_not_change_totals(
    book: PriceBook, items: list[tuple[str, int]], member: bool, codes: list[str]
) -> None:
    merged = _basket(items)
    split = [
        BasketLine(f"{ln.line_id}-{u}", ln.sku, D(1)) for ln in merged for u in range(int(ln.qty))
    ]
    first = price_basket(book, merged, at=AT, member=member, coupons=codes)
    second = price_basket(book, split, at=AT, member=member, coupons=codes)
    assert _totals(first) == _totals(second)


def test_split_of_three_into_three_ones_example() -> None:
    promo = {"kind": "percent_off", "id": "p", "name": "p", "percent": "33"}
    book = make_book(promotions=[promo], tax_inclusive=False)
    three = price_basket(book, [BasketLine("a", "penny", D(3))], at=AT)
    ones = [BasketLine(f"a{i}", "penny", D(1)) for i in range(3)]
    assert _totals(price_basket(book, ones, at=AT)) == _totals(three)


@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**5), min_size=1, max_size=20))
def test_apportion_sums_exactly_and_respects_weights(total: int, weights: list[int]) -> None:
    shares = apportion(total, weights)
    if sum(weights) == 0 or total == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == total
    if total <= sum(weights):
        assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))
