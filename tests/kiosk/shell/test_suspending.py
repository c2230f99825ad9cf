"""Suspend codes: six digits, never one a parked cart holds, a clear error when none is free."""

from __future__ import annotations

import pytest

from kiosk.exceptions import CheckoutError
from kiosk.shell.suspending import new_suspend_code


def test_code_is_six_digits_and_skips_codes_in_use() -> None:
    draws = iter([42, 42, 7])
    taken = {"000042"}
    code = new_suspend_code(taken.__contains__, lambda n: next(draws))
    assert code == "000007"


def test_gives_up_when_every_draw_is_taken() -> None:
    calls: list[int] = []

    def draw(n: int) -> int:
        calls.append(n)
        return 123456

    with pytest.raises(CheckoutError) as err:
        new_suspend_code(lambda code: True, draw)
    assert err.value.code == "store_error"
    assert calls == [1_000_000] * 100


def test_default_draw_gives_a_six_digit_code() -> None:
    code = new_suspend_code(lambda code: False)
    assert len(code) == 6
    assert code.isdigit()
