"""The small price book the pricing tests share, and helpers to price baskets on it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from contracts.messages import SaleData, Tender
from contracts.pricebook import PriceBook
from contracts.pricing import BasketLine, PricedBasket

D = Decimal
AT = datetime(2024, 6, 5, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Asia/Shanghai


def product(sku: str, price: str, **extra: Any) -> dict[str, Any]:
    n = sum(ord(c) for c in sku)
    return {
        "sku": sku,
        "name": f"Item {sku}",
        "gtins": [f"{n:014d}"],
        "price": price,
        **extra,
    }


def make_book(*, promotions: Any = (), coupons: Any = (), **extra: Any) -> PriceBook:
    """A small book: tax 13% std / 9% food, a weighed item, a member price, a gift item."""
    data: dict[str, Any] = {
        "store": "demo",
        "version": 1,
        "published_at": "2024-06-01T00:00:00Z",
        "tax_classes": [
            {"code": "std", "rate": "0.13"},
            {"code": "food", "rate": "0.09"},
        ],
        "products": [
            product("cola", "3.50", category="drinks", member_price="3.00"),
            product("water", "2.00", category="drinks"),
            product("juice", "6.80", category="drinks"),
            product("chips", "7.90", category="snacks", tax_class="food"),
            product("nuts", "12.00", category="snacks", tax_class="food"),
            product("apple", "9.98", category="fruit", weighed=True, tax_class="food"),
            product("mug", "25.00", category="gifts"),
            product("old", "1.00", active=False),
            product("penny", "0.01", category="misc"),
        ],
        "promotions": list(promotions),
        "coupons": list(coupons),
        **extra,
    }
    return PriceBook.model_validate(data)


def lines(*items: tuple[str, str | int]) -> list[BasketLine]:
    return [BasketLine(line_id=f"l{i}", sku=s, qty=D(str(q))) for i, (s, q) in enumerate(items)]


def sale(result: PricedBasket) -> SaleData:
    """The sale event built from ``result`` and a cash tender: validation checks the balance."""
    return SaleData(
        sale_id="s1",
        completed_at=AT,
        currency=result.currency,
        lines=result.sale_lines(),
        subtotal=result.subtotal,
        discount_total=result.discount_total,
        tax_total=result.tax_total,
        total=result.total,
        tenders=[Tender(method="cash", amount=result.total)],
        change=D(0),
        tax_inclusive=result.tax_inclusive,
    )


COUPONS = [
    {"id": "c10", "name": "10% off", "prefix": "TEN", "kind": "percent_off", "value": "10"},
    {"id": "c5", "name": "5 off 30", "prefix": "FIVE", "kind": "amount_off", "value": "5"},
    {"id": "c5x", "name": "5 off snacks", "prefix": "FIVEX", "kind": "amount_off", "value": "5"},
]
COUPONS[1]["min_spend"] = "30"
COUPONS[2]["targets"] = {"categories": ["snacks"]}
