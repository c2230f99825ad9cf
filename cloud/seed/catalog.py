"""A deterministic grocery catalog (seeded RNG): valid GTIN-13s under a Chinese GS1 prefix,
realistic prices, costs, unit weights and tolerances; weighed produce with PLUs;
age-restricted alcohol and tobacco. Pure: no database, no clock."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from cloud.products.gtin import check_digit

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CategorySpec:
    code: str
    name: str
    items: tuple[str, ...]
    variants: tuple[str, ...]
    price: tuple[float, float]
    grams: tuple[int, int]
    tax: str = "std"
    min_age: int | None = None
    weighed: bool = False


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "produce",
        "Fruit & vegetables",
        (
            "Apples",
            "Bananas",
            "Oranges",
            "Pears",
            "Tomatoes",
            "Potatoes",
            "Carrots",
            "Cucumbers",
            "Bok choy",
            "Grapes",
        ),
        ("loose",),
        (4, 25),
        (1000, 1000),
        "reduced",
        weighed=True,
    ),
    CategorySpec(
        "dairy",
        "Dairy & eggs",
        ("Whole milk", "Skim milk", "Yogurt", "Cheddar", "Butter", "Eggs", "Cream", "Kefir"),
        ("200 ml", "500 ml", "1 l", "6 pack", "12 pack"),
        (3, 40),
        (200, 1100),
        "reduced",
    ),
    CategorySpec(
        "bakery",
        "Bakery",
        (
            "White bread",
            "Wholemeal bread",
            "Croissants",
            "Bagels",
            "Muffins",
            "Baguette",
            "Steamed buns",
        ),
        ("small", "large", "4 pack", "6 pack"),
        (4, 28),
        (150, 800),
    ),
    CategorySpec(
        "drinks",
        "Soft drinks & water",
        (
            "Cola",
            "Lemon soda",
            "Green tea",
            "Mineral water",
            "Orange juice",
            "Apple juice",
            "Soy milk",
            "Energy drink",
        ),
        ("330 ml", "500 ml", "1.5 l", "6 × 330 ml"),
        (2, 35),
        (350, 2100),
    ),
    CategorySpec(
        "snacks",
        "Snacks & sweets",
        (
            "Potato chips",
            "Chocolate bar",
            "Cookies",
            "Peanuts",
            "Seaweed snack",
            "Gummies",
            "Crackers",
            "Rice cakes",
        ),
        ("small", "family", "40 g", "150 g"),
        (3, 30),
        (40, 400),
    ),
    CategorySpec(
        "pantry",
        "Pantry",
        (
            "Jasmine rice",
            "Noodles",
            "Soy sauce",
            "Vinegar",
            "Cooking oil",
            "Flour",
            "Sugar",
            "Salt",
            "Chili sauce",
            "Pasta",
        ),
        ("500 g", "1 kg", "2.5 kg", "5 kg"),
        (4, 90),
        (500, 5100),
        "reduced",
    ),
    CategorySpec(
        "frozen",
        "Frozen food",
        ("Dumplings", "Ice cream", "Frozen peas", "Fish fingers", "Pizza", "Spring rolls"),
        ("300 g", "500 g", "1 kg"),
        (8, 60),
        (300, 1050),
    ),
    CategorySpec(
        "meat",
        "Meat & fish",
        ("Chicken breast", "Pork belly", "Beef mince", "Salmon fillet", "Shrimp", "Sausages"),
        ("300 g", "500 g", "1 kg"),
        (15, 120),
        (300, 1050),
    ),
    CategorySpec(
        "household",
        "Household",
        ("Dish soap", "Laundry liquid", "Paper towels", "Toilet paper", "Trash bags", "Sponges"),
        ("small", "large", "refill", "family"),
        (5, 80),
        (200, 3000),
    ),
    CategorySpec(
        "personal",
        "Personal care",
        ("Toothpaste", "Shampoo", "Body wash", "Hand soap", "Tissues", "Razor blades"),
        ("travel", "regular", "value"),
        (6, 70),
        (50, 800),
    ),
    CategorySpec(
        "alcohol",
        "Beer, wine & spirits",
        ("Lager", "IPA", "Red wine", "White wine", "Baijiu", "Whisky"),
        ("330 ml", "500 ml", "750 ml", "6 pack"),
        (6, 300),
        (350, 2200),
        "std",
        min_age=18,
    ),
    CategorySpec(
        "tobacco",
        "Tobacco",
        ("Cigarettes", "Cigarillos"),
        ("pack of 20", "carton"),
        (15, 250),
        (25, 260),
        "std",
        min_age=18,
    ),
)
BRANDS = ("Golden Field", "Blue River", "Sunny Farm", "Panda", "Harbor", "Jade", "Maple", "Lotus")
GS1_PREFIX = "690"  # China (GS1 prefixes 690–699)


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name: str
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


def gtin13(company: int, item: int) -> str:
    """EAN-13 = 690 + 4-digit company + 5-digit item + check digit."""
    body = f"{GS1_PREFIX}{company:04d}{item:05d}"
    return body + check_digit(body)


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    value = Decimal(str(round(rng.uniform(low, high), 1))) - Decimal("0.10")
    return max(value, Decimal("0.90")).quantize(CENT)


def generate_catalog(count: int = 600, seed: int = 20260302) -> list[ProductSpec]:
    rng = random.Random(seed)
    products: list[ProductSpec] = []
    plu = 4000
    n = 0
    while len(products) < count:
        for spec in CATEGORIES:
            item = spec.items[n % len(spec.items)]
            if spec.weighed and n >= len(spec.items):
                continue  # one weighed SKU per produce item
            brand = BRANDS[rng.randrange(len(BRANDS))]
            variant = spec.variants[rng.randrange(len(spec.variants))]
            price = _money(rng, *spec.price)
            cost = (price * Decimal(str(round(rng.uniform(0.55, 0.8), 2)))).quantize(CENT)
            member = (price * Decimal("0.95")).quantize(CENT) if rng.random() < 0.3 else None
            sku = f"{spec.code[:3].upper()}-{len(products) + 1:05d}"
            if spec.weighed:
                plu += 1
                name, gtin, grams, tol = f"{item} ({variant})", None, None, None
                plu_code: str | None = str(plu)
            else:
                name = f"{brand} {item} {variant}"
                gtin = gtin13(1000 + BRANDS.index(brand), len(products) + 1).zfill(14)
                g = rng.randint(*spec.grams)
                grams = Decimal(g)
                tol = Decimal(max(5, round(g * 0.05)))
                plu_code = None
            products.append(
                ProductSpec(
                    sku=sku,
                    name=name,
                    category=spec.code,
                    gtin=gtin,
                    price=price,
                    member_price=member,
                    cost=cost,
                    tax_class=spec.tax,
                    weighed=spec.weighed,
                    unit_weight_g=grams,
                    weight_tolerance_g=tol,
                    min_age=spec.min_age,
                    plu=plu_code,
                )
            )
            if len(products) >= count:
                break
        n += 1
    return products
