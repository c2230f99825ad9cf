"""Price book: built from the catalog, versioned per store, published retained after commit."""

from __future__ import annotations

import threading
from decimal import Decimal

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.session import transaction
from cloud.db.upsert import table_of
from cloud.pricebook.mqtt_sink import MqttRetainedSink
from cloud.pricebook.publisher import MemorySink, PriceBookPublisher
from cloud.products import service as products
from cloud.products.gtin import check_digit
from cloud.products.models import Product, ProductBarcode
from cloud.promotions import service as promotions
from cloud.settings import CloudSettings
from contracts.pricebook import PriceBook, decode_pricebook
from contracts.topics import pricebook_topic
from tests.cloud.factories import setup_store
from tests.support.services import MosquittoProcess

EMQX_DEFAULT_MAX_PACKET = 1024 * 1024  # the tightest common broker default (EMQX: 1 MB)


def _book(sink: MemorySink, store: str) -> PriceBook:
    return decode_pricebook(sink.retained[pricebook_topic(store)])


def test_changes_publish_after_commit_with_rising_versions(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "demo")
        setup_store(s, "north")
    sink = MemorySink()
    publisher = PriceBookPublisher(session_factory, sink)
    with transaction(session_factory) as s:
        products.update_product(s, "SKU-1", price=Decimal("9.90"), publisher=publisher)
        assert sink.count == 0  # nothing before the commit
    assert _book(sink, "demo").version == 1
    assert _book(sink, "north").version == 1
    sku1 = next(p for p in _book(sink, "demo").products if p.sku == "SKU-1")
    assert sku1.price == Decimal("9.90")
    assert sku1.gtins == ["06920000000012"]

    def change_then_fail() -> None:
        with transaction(session_factory) as s:
            products.update_product(s, "SKU-1", price=Decimal("1.00"), publisher=publisher)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert _book(sink, "demo").version == 1  # a rolled-back change publishes nothing

    rule = {"kind": "percent_off", "id": "P10", "name": "10% off", "percent": "10"}
    with transaction(session_factory) as s:
        promotions.create_promotion(s, rule, publisher=publisher)
    book = _book(sink, "demo")
    assert book.version == 2
    assert [p.id for p in book.promotions] == ["P10"]


def test_invalid_promotion_rule_is_refused(session_factory: sessionmaker[Session]) -> None:
    from cloud.exceptions import ValidationFailedError

    with pytest.raises(ValidationFailedError), transaction(session_factory) as s:
        promotions.create_promotion(s, {"kind": "percent_off", "id": "X", "name": "x"})


@pytest.mark.mosquitto
def test_twenty_thousand_products_go_through_mosquitto(
    session_factory: sessionmaker[Session], mosquitto_broker: MosquittoProcess
) -> None:
    with transaction(session_factory) as s:
        setup_store(s, "demo")
        s.execute(
            insert(table_of(Product)),
            [
                {
                    "sku": f"BULK-{i:05d}",
                    "name": f"Bulk item {i} family pack",
                    "price": Decimal(i % 500) + Decimal("0.99"),
                    "tax_class": "std",
                    "weighed": False,
                    "active": True,
                }
                for i in range(20_000 - 5)
            ],
        )
        ids = s.execute(select(table_of(Product).c.id, table_of(Product).c.sku)).all()
        s.execute(
            insert(table_of(ProductBarcode)),
            [
                {"product_id": pid, "gtin": ("0693" + f"{pid:09d}" + check_digit(f"693{pid:09d}"))}
                for pid, sku in ids
                if sku.startswith("BULK")
            ],
        )
    received: list[bytes] = []
    got = threading.Event()
    node = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def on_message(_c: object, _u: object, msg: mqtt.MQTTMessage) -> None:
        received.append(msg.payload)
        got.set()

    node.on_message = on_message
    settings = CloudSettings(mqtt_url=mosquitto_broker.url)
    sink = MqttRetainedSink.connect(settings)
    try:
        PriceBookPublisher(session_factory, sink).publish(["demo"])
    finally:
        sink.close()
    # a node connecting afterwards gets the retained book
    node.connect(mosquitto_broker.host, mosquitto_broker.port)
    node.subscribe(pricebook_topic("demo"), qos=1)
    node.loop_start()
    try:
        assert got.wait(20)
    finally:
        node.disconnect()
        node.loop_stop()
    book = decode_pricebook(received[0])
    assert len(book.products) == 20_000
    assert book.version == 1
    assert len(received[0]) < EMQX_DEFAULT_MAX_PACKET
