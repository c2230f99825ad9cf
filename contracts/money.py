"""Money as :class:`~decimal.Decimal`, serialised as a string, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    """Parse money or a quantity from a string or an int; floats are refused (they lose cents)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    elif isinstance(value, float):
        raise ValueError("amounts are decimal strings, not floats")
    else:
        raise ValueError(f"not a decimal amount: {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("amount must be finite")
    return result


def quantize_money(value: Decimal, step: Decimal = CENT) -> Decimal:
    """Round half up to the currency's step (cents by default)."""
    return value.quantize(step, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal) -> str:
    """Plain notation (no exponent) so every consumer can parse it."""
    return format(value, "f")


_SERIALIZE = PlainSerializer(format_decimal, return_type=str, when_used="always")
_SCHEMA = WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["12.50"]})

Money = Annotated[Decimal, BeforeValidator(to_decimal), _SERIALIZE, _SCHEMA]
"""A decimal amount in the message's currency, e.g. ``"12.50"``."""

Quantity = Annotated[Decimal, BeforeValidator(to_decimal), _SERIALIZE, _SCHEMA]
"""A decimal quantity: units, or kilograms for weighed items."""
