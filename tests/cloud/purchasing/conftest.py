"""A store with sixteen weeks of milk sales, a supplier of milk in packs of 12, and a
session on the parametrised database (SQLite file and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cloud.products import service as products
from cloud.products.models import Product
from cloud.reports.models import ProductDaily
from cloud.stores import service as stores
from cloud.stores.models import Store
from cloud.suppliers import service as suppliers
from cloud.suppliers.models import Supplier
from tests.cloud.api.conftest import api, clock, settings

__all__ = ["api", "clock", "settings"]

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
GTIN = "06901234567892"


@dataclass
class Shop:
    session: Session
    store: Store
    milk: Product
    bread: Product
    dairy: Supplier


def add_sales(session: Session, store_id: int, gtin: str, per_day: int, now: datetime) -> None:
    today = now.date()
    for back in range(112):
        session.add(
            ProductDaily(
                store_id=store_id,
                day=today - timedelta(days=back),
                gtin=gtin,
                lines=per_day,
                qty=Decimal(per_day),
                gross=Decimal(per_day * 12),
            )
        )
    session.flush()


@pytest.fixture
def shop(session_factory: sessionmaker[Session]) -> Iterator[Shop]:
    with session_factory() as session:
        products.ensure_tax_class(session, "std", Decimal("0.13"), "Standard")
        store = stores.create_store(session, "store-a", "Store A")
        milk = products.create_product(
            session, sku="MILK-1", name="Milk 1 L", price=Decimal("12.50"), gtins=[GTIN]
        )
        bread = products.create_product(
            session, sku="BREAD-1", name="Bread", price=Decimal("8.00"), gtins=["6901234567885"]
        )
        dairy = suppliers.create(
            session,
            "DAIRY",
            {
                "name": "Bright Dairy",
                "email": "orders@dairy.example",
                "lead_time_days": 2,
                "payment_terms_days": 30,
                "min_order_amount": Decimal("50"),
            },
            NOW,
        )
        suppliers.set_item(
            session,
            dairy,
            milk.id,
            unit_cost=Decimal("6.00"),
            pack_size=12,
            min_qty=Decimal(24),
            supplier_sku="BD-MILK",
        )
        add_sales(session, store.id, GTIN, 10, NOW)
        session.commit()
        yield Shop(session, store, milk, bread, dairy)
