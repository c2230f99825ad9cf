"""What a code is: one order for every input path, label extras only with their own key, and
shopper payment codes told apart from product barcodes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.catalog import Catalog
from kiosk.domain.scanning import (
    LabelReader,
    classify_payment_code,
    find_item,
    is_known_code,
    route_code,
)
from kiosk.scanner.config import Gs1Config
from kiosk.scanner.gs1 import interpret
from tests.kiosk.books import BREAD, CHEESE, DELI, MILK, demo_book

WECHAT = "134567890123456789"  # 18 digits, a WeChat Pay prefix
CATALOG = Catalog(demo_book())


def reader(gs1: Gs1Config) -> LabelReader:
    """The shell's label reader: the scanner package's GS1 interpreter."""
    return lambda text: interpret(text, "unknown", gs1)


PLAIN = reader(Gs1Config())
ODOO = reader(Gs1Config(rcn_region="odoo"))


def route(code: str, payment_code: bool = False) -> str:
    return route_code(code, payment_code=payment_code, member_prefix="MC", coupon_prefixes=["CP"])


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (WECHAT, "payment"),
        ("MC0042", "member"),
        ("MC", "item"),  # the bare prefix is no card
        ("CP10-7", "coupon"),
        (MILK, "item"),
        ("101", "item"),
    ],
)
def test_route_by_shape(code: str, kind: str) -> None:
    assert route(code) == kind


def test_scanner_verdict_and_order_win() -> None:
    assert route("MC0042", payment_code=True) == "payment"  # the scanner said so
    both = route_code("CP42", payment_code=False, member_prefix="C", coupon_prefixes=["CP"])
    assert both == "member"  # a member card before a coupon


def test_known_codes() -> None:
    def known(code: str) -> bool:
        return is_known_code(code, CATALOG, member_prefix="MC", coupon_prefixes=["CP10"])

    assert all(known(c) for c in (MILK, "101", "bread", "MC", WECHAT, "CP10X"))
    assert not known("nothing-here")


def test_plain_codes_find_products_by_gtin_plu_or_sku() -> None:
    for code in (MILK, "101", "milk"):
        item = find_item(code, CATALOG, PLAIN)
        assert item is not None
        assert item.product.sku == "milk"
        assert (item.weight_kg, item.price) == (None, None)
    assert find_item("nothing-here", CATALOG, PLAIN) is None


def test_typed_weight_label_is_read_as_gs1() -> None:
    item = find_item("2112345012506", CATALOG, ODOO)
    assert item is not None
    assert item.product.gtins == [CHEESE]
    assert (item.gtin, item.weight_kg, item.price) == (CHEESE, Decimal("1.25"), None)
    priced = find_item("2312346019997", CATALOG, ODOO)
    assert priced is not None
    assert (priced.gtin, priced.price) == (DELI, Decimal("19.99"))


def test_scanner_extras_are_kept_with_their_key() -> None:
    item = find_item(
        "ignored", CATALOG, PLAIN, gtin=BREAD, expiry=date(2025, 3, 20), price=Decimal(3)
    )
    assert item is not None
    assert item.product.sku == "bread"
    assert (item.expiry, item.price) == (date(2025, 3, 20), Decimal(3))


def test_extras_never_follow_a_product_found_another_way() -> None:
    # the label's key is unknown, so the typed code is looked up: weight and price dropped
    item = find_item(
        "101", CATALOG, PLAIN, gtin="09999999999999", weight_kg=Decimal(2), price=Decimal(9)
    )
    assert item is not None
    assert item.product.sku == "milk"
    assert (item.weight_kg, item.price) == (None, None)
    assert item.gtin == "09999999999999"


@pytest.mark.parametrize(
    ("code", "wallet"),
    [
        ("134567890123456789", "wechat"),
        ("104567890123456789", "wechat"),
        ("284567890123456789", "alipay"),
        ("2545678901234567", "alipay"),
        ("164567890123456789", None),
        ("6901234567892", None),
        ("13456789012345678X", None),
        ("", None),
    ],
)
def test_payment_codes(code: str, wallet: str | None) -> None:
    assert classify_payment_code(code) == wallet


@given(st.text(max_size=30))
def test_any_text_is_classified_without_crashing(text: str) -> None:
    result = classify_payment_code(text)
    assert result in (None, "wechat", "alipay")
    if result is not None:
        assert text.strip().isdigit()
