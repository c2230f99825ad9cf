"""The demo price book (from :mod:`kiosk.demo_book`) and a clock shared by the kiosk tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from contracts.pricebook import PriceBook, TaxClass
from kiosk.demo_book import APPLES, BAG, BEER, BREAD, CHEESE, DELI, MILK, NOW, demo_book

__all__ = [
    "APPLES",
    "BAG",
    "BEER",
    "BREAD",
    "CHEESE",
    "DELI",
    "MILK",
    "NOW",
    "Clock",
    "demo_book",
    "empty_tax_book",
    "ids",
]


def empty_tax_book() -> PriceBook:
    return demo_book().model_copy(update={"tax_classes": [TaxClass(code="std", rate=Decimal(0))]})


class Clock:
    """A settable clock for the pure core."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"id{next(counter):04d}"
