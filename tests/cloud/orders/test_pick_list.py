"""The pick list walks the store: lines by shelf node and lane, lines on no lane last; and an
order's prices come from the kiosk's pricing code (a promotion applies as at the kiosk)."""

from __future__ import annotations

from decimal import Decimal

from cloud.db.session import transaction
from cloud.inventory import service as inventory
from cloud.products import service as products
from cloud.promotions import service as promotions
from contracts.messages import StockData
from tests.cloud.api.conftest import Api
from tests.cloud.api.helpers import store_id
from tests.cloud.orders.helpers import ORDERS, stock

ITEMS = {"MILK-1": "06901234567892", "BREAD-1": "06901234567908", "JAM-1": "06901234567915"}


def _shelves(api: Api) -> None:
    """MILK on shelf-2/a1, BREAD on shelf-1/b3, JAM on no lane."""
    with transaction(api.sessions) as s:
        for sku in ("BREAD-1", "JAM-1"):
            products.create_product(s, sku=sku, name=sku.title(), price=Decimal("4.00"),
                                    gtins=[ITEMS[sku][1:]], category="dairy")  # fmt: skip
        for node, lane, sku in (("shelf-2", "a1", "MILK-1"), ("shelf-1", "b3", "BREAD-1")):
            data = StockData(lane=lane, sku=sku, gtin=ITEMS[sku], count=5, grams=Decimal(500),
                             state="ok")  # fmt: skip
            inventory.apply_stock(s, store_id=store_id(s, "store-a"), node=node, data=data,
                                  now=api.clock(), seq=1)  # fmt: skip
        promotions.create_promotion(
            s, {"kind": "percent_off", "id": "jam10", "name": "Jam 10%", "percent": "10",
                "targets": {"skus": ["JAM-1"]}}, store_id=None,
        )  # fmt: skip
    for sku in ITEMS:
        stock(api, "5", sku)


def test_pick_list_by_shelf_and_prices_as_at_the_kiosk(api: Api) -> None:
    _shelves(api)
    h = api.headers("staff_a")
    body = {
        "store": "store-a",
        "channel": "web",
        "fulfilment": "pickup",
        "customer": {"name": "Wu"},
        "lines": [{"sku": "JAM-1", "qty": "1"}, {"sku": "MILK-1", "qty": "1"},
                  {"sku": "BREAD-1", "qty": "2"}],
    }  # fmt: skip
    res = api.client.post(ORDERS, headers=h, json=body)
    assert res.status_code == 201, res.text
    order = api.client.get(f"{ORDERS}/{res.json()['order_id']}", headers=h).json()
    assert [(ln["sku"], ln["location"]) for ln in order["lines"]] == [
        ("BREAD-1", "shelf-1/b3"),
        ("MILK-1", "shelf-2/a1"),
        ("JAM-1", None),
    ]
    jam = order["lines"][2]
    assert (jam["amount"], jam["discount"]) == ("4.00", "0.40")
    assert order["total"] == "24.10"  # 12.50 + 2 × 4.00 + 4.00 − 0.40
