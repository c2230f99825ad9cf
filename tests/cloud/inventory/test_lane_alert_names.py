"""Lane alerts name the product (en in the message, zh beside it), not its SKU; the console
shows them in the viewer's language from the message catalogue."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.alerts.models import Alert
from cloud.db.session import transaction
from cloud.inventory import service
from cloud.products.repository import by_sku
from cloud.stores.models import Store
from cloud.web.i18n import Translator
from contracts.messages import StockData
from tests.cloud.factories import GTINS, setup_store

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_low_stock_alert_names_the_product(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as s:
        setup_store(s)
        product = by_sku(s, "SKU-0")
        assert product is not None
        product.name, product.name_zh = "Panda lager 330 ml", "熊猫啤酒 330ml"
        store_id = s.scalars(select(Store.id).where(Store.code == "demo")).one()
        data = StockData(
            lane="l1", sku="SKU-0", gtin=GTINS[0], count=2, grams=Decimal(700), state="low"
        )
        service.apply_stock(s, store_id=store_id, node="shelf-1", data=data, now=T0)
    with session_factory() as s:
        alert = s.scalars(select(Alert).where(Alert.type == "low_stock")).one()
    assert alert.message == "Panda lager 330 ml on shelf-1/l1: 2 left"
    assert "SKU-0" not in alert.message
    assert alert.details["product_zh"] == "熊猫啤酒 330ml"
    zh = Translator("zh-Hans")(
        "alert.lane_message", product=alert.details["product_zh"], source=alert.source, count=2
    )
    assert zh == "熊猫啤酒 330ml（shelf-1/l1）：剩 2 件"
