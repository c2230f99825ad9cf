"""A small demo price book: the tests, the memory bench and demos share it.

It lives in the package (not under tests/) so ``bench/`` never imports test code. It
includes two in-store labelled items under Odoo's variable-measure rules (``gs1.rcn_region:
odoo``): cheese weighed at the counter (``21…`` weight label) and a deli tray (``23…`` price
label).
"""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.pricebook import PriceBook

NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)

MILK = "06901234567892"
BREAD = "04006381333931"
BEER = "05449000000996"
APPLES = "02000000000008"
BAG = "00000000000017"
CHEESE = "02112345000008"
"""Lookup key of the weighed cheese: label ``21 12345 NNDDD c`` with the weight zeroed."""
DELI = "02312346000001"
"""Lookup key of the deli tray: label ``23 12346 NNNDD c`` with the price zeroed."""


PRODUCTS: tuple[dict[str, object], ...] = (
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
    {
        "sku": "cheese",
        "name": "Cheese (counter)",
        "name_zh": "奶酪（称重）",
        "gtins": [CHEESE],
        "price": "58.00",
        "weighed": True,
        "weight_tolerance_g": "15",
    },
    {
        "sku": "deli",
        "name": "Deli tray",
        "name_zh": "熟食盒",
        "gtins": [DELI],
        "price": "0.00",
        "weighed": True,
        "weight_tolerance_g": "15",
    },
)
"""The demo shop's shelf: unit items with weights, an age-restricted beer, weighed apples,
a bag with no weight check, and the two Odoo-labelled counter items."""


def demo_book(version: int = 1, store: str = "demo") -> PriceBook:
    return PriceBook.model_validate(
        {
            "store": store,
            "version": version,
            "published_at": NOW.isoformat(),
            "currency": "CNY",
            "tax_inclusive": True,
            "tax_classes": [{"code": "std", "rate": "0.13"}],
            "products": list(PRODUCTS),
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
