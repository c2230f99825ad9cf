"""The price book's learned weights are optional both ways: a book without them is byte for
byte what kiosks from before issue 17 validate, and a book with them round-trips."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from contracts.exceptions import MessageError
from contracts.pricebook import LEARNED_FIELDS, PriceBook, decode_pricebook, encode_pricebook
from kiosk.demo_book import demo_book


def test_a_book_nobody_taught_leaves_the_learned_fields_out() -> None:
    book = demo_book()
    body = json.loads(book.model_dump_json())
    for product in body["products"]:
        assert not set(LEARNED_FIELDS) & set(product)
    # what a kiosk that predates the fields does with it: the closed model still accepts it
    assert decode_pricebook(encode_pricebook(book)) == book


def test_learned_weights_round_trip_and_stay_positive() -> None:
    book = demo_book()
    first = book.products[0].model_copy(
        update={"learned_weight_g": Decimal("1063.4"), "learned_spread_g": Decimal("12.1")}
    )
    taught = book.model_copy(update={"products": [first, *book.products[1:]]})
    back = decode_pricebook(encode_pricebook(taught))
    assert back.products[0].learned_weight_g == Decimal("1063.4")
    assert back.products[0].learned_spread_g == Decimal("12.1")
    assert back.products[1].learned_weight_g is None
    raw = json.loads(taught.model_dump_json())
    raw["products"][0]["learned_weight_g"] = "0"
    with pytest.raises(MessageError):
        decode_pricebook(json.dumps(raw).encode())
    assert PriceBook.model_validate(json.loads(taught.model_dump_json())) == taught
