"""Learned unit weights: what a store's shelf lanes learned per product (issue 17).

A shelf node's ``stock`` event carries the lane's learned unit weight and spread once it
has counted enough single units; the cloud keeps one per store and product, and the price
book hands it to the kiosks, whose bagging check trusts the shelf over a wrong catalogue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cloud.inventory import repository
from cloud.inventory.models import LearnedWeight
from cloud.products.models import Product
from contracts.messages import StockData


def lane_product(session: Session, gtin: str, sku: str) -> Product | None:
    """The lane's product: by GTIN, else by SKU (a lane without a GTIN sends zeros)."""
    from cloud.products import service as products

    return products.find_by_gtin(session, gtin) or products.find_product(session, sku)


def keep_learned_weight(
    session: Session, *, store_id: int, node: str, data: StockData, now: datetime
) -> LearnedWeight | None:
    """Store the lane's learned weight for its product. Two lanes may hold one product:
    the same lane always refines its own figure, another lane replaces it only when it
    learned from at least as many units. None when the event has no learned weight or
    names no known product."""
    if data.unit_weight_g is None or data.unit_spread_g is None:
        return None
    product = lane_product(session, data.gtin, data.sku)
    if product is None:
        return None
    fields = {
        "node": node,
        "lane": data.lane,
        "unit_weight_g": data.unit_weight_g,
        "spread_g": data.unit_spread_g,
        "units_learned": data.units_learned,
        "updated_at": now,
    }
    row = repository.locked_learned_weight(session, store_id, product.id, fields)
    same_lane = (row.node, row.lane) == (node, data.lane)
    if same_lane or data.units_learned >= row.units_learned:
        for name, value in fields.items():
            setattr(row, name, value)
    return row


def learned_weights(session: Session, store_id: int) -> dict[int, LearnedWeight]:
    """Product id → learned weight in the store (the price book's input)."""
    return repository.learned_weights(session, store_id)
