"""The demo catalogue (cloud/seed/catalog.yaml) is consistent: weights match sizes, GTINs
carry valid check digits, every product has zh and en names, prices make sense, and
promotions reference real products and categories (a gift names what it gives)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from cloud.products.gtin import is_valid_gtin
from cloud.seed.catalog import catalog_data, categories, load_catalog, promotion_rules
from contracts.pricebook import PriceBook

SIZE = re.compile(r"^(?:(\d+) × )?(\d+(?:\.\d+)?) (ml|l|g|kg)$")
UNIT = {"ml": 1, "l": 1000, "g": 1, "kg": 1000}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAXES = {"std", "reduced", "zero"}


def nominal_grams(size: str) -> float | None:
    """Net content from a size like ``330 ml``, ``1.5 l``, ``12 × 550 ml`` (water ≈ 1 g/ml)."""
    m = SIZE.match(size)
    if m is None:
        return None
    count, qty, unit = m.groups()
    return (int(count) if count else 1) * float(qty) * UNIT[unit]


def test_about_three_hundred_products_in_every_category() -> None:
    products = load_catalog()
    assert 250 <= len(products) <= 350
    codes = {c.code for c in categories()}
    assert {p.category for p in products} == codes
    assert len({p.sku for p in products}) == len(products)


def test_unit_weights_are_consistent_with_sizes() -> None:
    for row in catalog_data()["products"]:
        if row.get("weighed"):
            assert row["size"] == "per kg", row["sku"]
            assert row.get("plu"), row["sku"]
            continue
        weight = row["weight_g"]
        net = nominal_grams(row["size"])
        if net is None:  # counted goods (10 eggs, 4 pieces) state their net weight
            net = row["net_g"]
            assert net <= weight <= 1.3 * net + 60, row
            continue
        glass = row["package"] == "glass" or row["package"] == "jar"
        allowance = 0.7 * net + 80 if glass else 0.15 * net + 60  # glass weighs
        pieces = SIZE.match(row["size"]).group(1)  # type: ignore[union-attr]
        allowance += 15 * int(pieces or 0)  # each can, cup or sachet of a multipack
        # oil is 0.92 g/ml, soy sauce 1.18: inside these bounds; a 1,173 g "330 ml" is not
        assert 0.85 * net <= weight <= 1.2 * net + allowance, row


def test_gtins_are_valid_unique_chinese_ean13() -> None:
    gtins = [p.gtin for p in load_catalog() if p.gtin]
    assert len(gtins) == len(set(gtins))
    for gtin in gtins:
        assert len(gtin) == 14, gtin
        assert is_valid_gtin(gtin), gtin
        assert gtin[1:4] in {f"{n}" for n in range(690, 700)}, gtin  # GS1 China
    assert all((p.gtin is None) == p.weighed for p in load_catalog())


def test_names_prices_tax_and_age_limits() -> None:
    for p in load_catalog():
        assert p.name, p.sku
        assert not HAN.search(p.name), p.sku
        assert HAN.search(p.name_zh), p.sku
        assert Decimal("0") < p.cost < p.price, p.sku
        assert p.member_price is None or p.member_price < p.price, p.sku
        assert p.price == p.price.quantize(Decimal("0.01")), p.sku
        assert p.tax_class in TAXES, p.sku
        if p.category in ("alcohol", "tobacco"):
            assert p.min_age == 18, p.sku
        else:
            assert p.min_age is None, p.sku
    lager = next(p for p in load_catalog() if "lager 330 ml" in p.name)
    assert Decimal("2") <= lager.price <= Decimal("10")
    assert lager.unit_weight_g is not None
    assert 330 <= lager.unit_weight_g <= 400


def test_no_solid_sold_by_volume() -> None:
    """No "Cheddar 200 ml": cheese, butter, yogurt cups, snacks, bread are sold by weight."""
    by_weight = {"bakery", "snacks", "frozen", "meat", "instant"}
    for p in load_catalog():
        if p.category in by_weight:
            assert not p.size.endswith(("ml", " l")), p.name


@pytest.mark.parametrize("rule", promotion_rules(), ids=lambda r: r["id"])
def test_promotions_reference_real_products(rule: dict[str, object]) -> None:
    products = {p.sku: p for p in load_catalog()}
    codes = {c.code for c in categories()}
    targets = rule.get("targets") or {}
    assert isinstance(targets, dict)
    for sku in targets.get("skus", []):
        assert sku in products, sku
    for category in targets.get("categories", []):
        assert category in codes, category
    assert HAN.search(str(rule["name_zh"]))
    if rule["kind"] == "gift_item":
        gift = products[str(rule["gift_sku"])]
        brand_and_item = gift.name.rsplit(" ", 2)[0]  # "Sunny Farm pocket tissues"
        assert brand_and_item.lower() in str(rule["name"]).lower()
        assert gift.name_zh.split(" ")[0] in str(rule["name_zh"])


def test_sku_targets_are_named_in_the_promotion() -> None:
    products = {p.sku: p for p in load_catalog()}
    for rule in promotion_rules():
        skus = (rule.get("targets") or {}).get("skus", [])
        for sku in skus:
            item = products[sku].name.split(" ", 2)[-1]  # drop a two-word brand at most
            words = [w for w in item.lower().replace("×", " ").split() if w.isalpha()]
            assert any(w in str(rule["name"]).lower() for w in words), (sku, rule["name"])


def test_the_price_book_accepts_the_promotions() -> None:
    rules = [
        {k: v for k, v in r.items() if k not in ("days", "hours", "name_zh")}
        for r in promotion_rules()
    ]
    book = PriceBook.model_validate(
        {
            "store": "demo",
            "version": 1,
            "published_at": "2026-12-05T00:00:00Z",
            "products": [],
            "promotions": rules,
        }
    )
    assert len(book.promotions) == len(rules)
