"""The demo catalogue of a Chinese convenience store / small supermarket, read from
``catalog.yaml`` beside this module (docs/catalogue.md): ~300 products with zh and en names,
sizes, CNY prices, gross unit weights consistent with the size, categories, VAT classes and
age limits, and promotions that name what they give. Pure: no database, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cloud.products.gtin import check_digit

GS1_PREFIX = "690"  # China (GS1 prefixes 690–699)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CategorySpec:
    code: str
    name: str
    name_zh: str
    tax: str = "std"
    min_age: int | None = None


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name: str
    name_zh: str
    category: str
    gtin: str | None
    price: Decimal
    member_price: Decimal | None
    cost: Decimal
    tax_class: str
    weighed: bool
    unit_weight_g: Decimal | None
    weight_tolerance_g: Decimal | None
    min_age: int | None
    plu: str | None
    size: str = ""
    net_g: int | None = None


def gtin13(company: int, item: int) -> str:
    """EAN-13 = 690 + 4-digit company + 5-digit item + check digit."""
    body = f"{GS1_PREFIX}{company:04d}{item:05d}"
    return body + check_digit(body)


@cache
def catalog_data() -> dict[str, Any]:
    """The parsed ``catalog.yaml`` (categories, products, promotions)."""
    text = resources.files("cloud.seed").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def categories() -> tuple[CategorySpec, ...]:
    return tuple(
        CategorySpec(c["code"], c["en"], c["zh"], c.get("tax", "std"), c.get("min_age"))
        for c in catalog_data()["categories"]
    )


def _product(row: dict[str, Any], category: CategorySpec) -> ProductSpec:
    weighed = bool(row.get("weighed", False))
    size = str(row["size"])
    grams = None if weighed else Decimal(int(row["weight_g"]))
    # the bagging scale's tolerance: 5 % of the unit, at least 5 g (scale noise)
    tolerance = None if grams is None else max(Decimal(5), (grams * Decimal("0.05")).quantize(1))
    member = row.get("member_price")
    return ProductSpec(
        sku=row["sku"],
        name=row["en"] if weighed else f"{row['en']} {size}",
        name_zh=row["zh"] if weighed else f"{row['zh']} {row['zh_size']}",
        category=row["category"],
        gtin=row.get("gtin"),
        price=Decimal(row["price"]).quantize(CENT),
        member_price=Decimal(member).quantize(CENT) if member else None,
        cost=Decimal(row["cost"]).quantize(CENT),
        tax_class=row.get("tax", category.tax),
        weighed=weighed,
        unit_weight_g=grams,
        weight_tolerance_g=tolerance,
        min_age=category.min_age,
        plu=row.get("plu"),
        size=size,
        net_g=row.get("net_g"),
    )


def load_catalog() -> list[ProductSpec]:
    """Every product of ``catalog.yaml``, in file order."""
    by_code = {c.code: c for c in categories()}
    return [_product(row, by_code[row["category"]]) for row in catalog_data()["products"]]


def promotion_rules() -> list[dict[str, Any]]:
    """The promotions as written (``days``/``hours`` still to be turned into a window)."""
    return [dict(p) for p in catalog_data()["promotions"]]
