"""A small price book and clock shared by the kiosk tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contracts.pricebook import PriceBook, TaxClass

NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)

MILK = "06901234567892"
BREAD = "04006381333931"
BEER = "05449000000996"
APPLES = "02000000000008"
BAG = "00000000000017"


def demo_book(version: int = 1) -> PriceBook:
    return PriceBook.model_validate(
        {
            "store": "demo",
            "version": version,
            "published_at": NOW.isoformat(),
            "currency": "CNY",
            "tax_inclusive": True,
            "tax_classes": [{"code": "std", "rate": "0.13"}],
            "products": [
                {
                    "sku": "milk",
                    "name": "Milk 1L",
                    "name_zh": "牛奶 1升",
                    "gtins": [MILK],
                    "plu": "101",
                    "price": "6.50",
                    "unit_weight_g": "1040",
                    "weight_tolerance_g": "30",
                },
                {
                    "sku": "bread",
                    "name": "Bread",
                    "name_zh": "面包",
                    "gtins": [BREAD],
                    "price": "12.00",
                    "member_price": "10.00",
                    "unit_weight_g": "400",
                    "weight_tolerance_g": "20",
                },
                {
                    "sku": "beer",
                    "name": "Beer 500ml",
                    "name_zh": "啤酒",
                    "gtins": [BEER],
                    "price": "8.00",
                    "unit_weight_g": "540",
                    "weight_tolerance_g": "20",
                    "min_age": 18,
                },
                {
                    "sku": "apples",
                    "name": "Apples",
                    "name_zh": "苹果",
                    "gtins": [APPLES],
                    "plu": "4131",
                    "price": "9.80",
                    "weighed": True,
                    "weight_tolerance_g": "15",
                },
                {
                    "sku": "bag",
                    "name": "Carrier bag",
                    "name_zh": "购物袋",
                    "gtins": [BAG],
                    "price": "0.50",
                    "no_weight_check": True,
                },
            ],
            "coupons": [
                {
                    "id": "c10",
                    "name": "10% off",
                    "prefix": "CP10",
                    "kind": "percent_off",
                    "value": "10",
                }
            ],
            "points": {"redeem_value": "0.01", "offline_redeem_limit": 500},
        }
    )


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
