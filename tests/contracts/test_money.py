"""Money: decimal strings in and out, never floats; rounding half up (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from contracts.money import Money, format_decimal, quantize_money, to_decimal

finite = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)


class Priced(BaseModel):
    amount: Money


@given(finite)
def test_json_round_trip_is_exact(value: Decimal) -> None:
    dumped = Priced(amount=value).model_dump_json()
    assert "e" not in dumped.lower()
    assert Priced.model_validate_json(dumped).amount == value


@given(finite)
def test_format_is_plain_and_parses_back(value: Decimal) -> None:
    text = format_decimal(value)
    assert "E" not in text
    assert to_decimal(text) == value


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
    )
)
def test_quantize_is_within_half_a_cent_and_half_up(value: Decimal) -> None:
    q = quantize_money(value)
    assert q.as_tuple().exponent == -2
    assert abs(q - value) <= Decimal("0.005")
    if abs(value - q) == Decimal("0.005"):
        assert abs(q) > abs(value)  # halves round away from zero


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "Infinity", None, [1]])
def test_floats_bools_and_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        Priced.model_validate({"amount": bad})


def test_ints_and_padded_strings_are_accepted() -> None:
    assert Priced.model_validate({"amount": 3}).amount == Decimal(3)
    assert Priced.model_validate({"amount": " 12.50 "}).amount == Decimal("12.50")
    assert Priced(amount=Decimal("12.50")).model_dump(mode="json") == {"amount": "12.50"}
