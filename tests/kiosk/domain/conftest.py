"""A fresh checkout on the demo book, with a fixed clock and counting ids."""

from __future__ import annotations

import pytest

from kiosk.domain.checkout import Checkout
from tests.kiosk.books import Clock, demo_book, ids


@pytest.fixture
def co() -> Checkout:
    return Checkout(demo_book(), Clock(), ids())
