"""Scanning items in: merging, weighed and price-embedded labels, expiry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short money literals in tests

import pytest

from contracts.pricebook import Product
from kiosk.domain.checkout import Checkout
from kiosk.domain.item_entry import ItemInput, new_line, quantity_and_price
from kiosk.exceptions import ItemRejected
from tests.kiosk.books import APPLES, BAG, BREAD, DELI, MILK, demo_book
from tests.kiosk.domain.shopper import add


def product(sku: str) -> Product:
    return next(p for p in demo_book().products if p.sku == sku)


def test_repeat_scan_merges(co: Checkout) -> None:
    add(co, BREAD)
    add(co, BREAD)
    assert co.cart.lines[0].qty == 2


def test_weighed_item_needs_weight_and_never_merges(co: Checkout) -> None:
    with pytest.raises(ItemRejected):
        add(co, APPLES)
    add(co, APPLES, weight_kg=D("0.512"))
    add(co, APPLES, weight_kg=D("0.300"))
    assert [ln.qty for ln in co.cart.lines] == [D("0.512"), D("0.300")]
    assert co.priced().total == D("7.96")


def test_expired_item_is_blocked_with_a_reason(co: Checkout) -> None:
    with pytest.raises(ItemRejected) as err:
        add(co, MILK, expiry=date(2025, 3, 13))
    assert err.value.code == "expired"
    assert co.cart.empty
    add(co, MILK, expiry=date(2025, 3, 14))  # today is still fine
    assert len(co.cart.lines) == 1


def test_price_label_is_one_unit_at_the_printed_price() -> None:
    deli = ItemInput(product("deli"), price=D("23.40"))
    assert quantity_and_price(deli) == (D(1), D("23.40"))
    with pytest.raises(ItemRejected) as err:
        quantity_and_price(ItemInput(product("deli"), price=D("-1")))
    assert err.value.code == "bad_label"
    # the label wins over a weight the scale may also have reported
    apples = ItemInput(product("apples"), weight_kg=D("0.5"), price=D("4.90"))
    assert quantity_and_price(apples) == (D(1), D("4.90"))


def test_priced_labels_never_merge_and_skip_the_scale(co: Checkout) -> None:
    add(co, DELI, price=D("23.40"))
    add(co, DELI, price=D("23.40"))
    assert [ln.qty for ln in co.cart.lines] == [D(1), D(1)]
    assert not any(ln.check_weight for ln in co.cart.lines)
    assert co.priced().total == D("46.80")


def test_new_line_checks_the_weight_only_when_it_is_known() -> None:
    milk = new_line("L1", ItemInput(product("milk")), D(1), None, weight_check=True)
    assert milk.check_weight
    assert milk.gtin == MILK  # no scanned code: the product's first GTIN
    assert milk.tolerance_g == D(30)
    bag = new_line("L2", ItemInput(product("bag"), gtin=BAG), D(1), None, weight_check=True)
    assert not bag.check_weight  # the product says so
    assert bag.tolerance_g == D(10)  # the default when the book has none
    off = new_line("L3", ItemInput(product("milk")), D(1), None, weight_check=False)
    assert not off.check_weight  # the kiosk has no bagging scale
    apples = ItemInput(product("apples"))
    assert new_line("L4", apples, D("0.5"), None, weight_check=True).check_weight
    assert not new_line("L5", apples, D(1), D("4.90"), weight_check=True).check_weight
