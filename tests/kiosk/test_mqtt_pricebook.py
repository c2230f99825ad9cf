"""The retained price book through a real Mosquitto: stored, applied at a cart boundary,
kept across a restart with the broker down; malformed and stale books are refused."""

from __future__ import annotations

import logging
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

import pytest

from contracts.messages import SaleData
from contracts.pricebook import PriceBook, decode_pricebook, encode_pricebook
from contracts.topics import events_filter, pricebook_topic
from tests.kiosk.books import BAG, MILK, demo_book
from tests.kiosk.mqtt_probe import CloudCommands, Probe
from tests.kiosk.node import wait_for
from tests.kiosk.test_service import Running, start
from tests.support.services import MosquittoProcess

pytestmark = pytest.mark.mosquitto

TOPIC = pricebook_topic("demo")


def repriced(version: int, milk: str, store: str = "demo") -> PriceBook:
    """The demo book at ``version`` with milk at ``milk``."""
    book = demo_book(version=version, store=store)
    products = [
        p.model_copy(update={"price": D(milk)}) if p.sku == "milk" else p for p in book.products
    ]
    return book.model_copy(update={"products": products})


def milk_line(k: Running) -> dict:  # type: ignore[type-arg]
    return next(ln for ln in k.state()["lines"] if ln["name"] == "Milk 1L")  # type: ignore[no-any-return]


def stored_version(k: Running) -> int | None:
    raw = k.node.parts.session.store.load_pricebook()
    return None if raw is None else decode_pricebook(raw).version


def test_pricebook_applies_at_the_cart_boundary_and_survives_a_restart(
    tmp_path: Path, mosquitto_broker: MosquittoProcess, caplog: pytest.LogCaptureFixture
) -> None:
    broker = mosquitto_broker
    caplog.set_level(logging.INFO)
    events = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1", "sale"))
    cloud = CloudCommands(broker.host, broker.port, "demo", "kiosk-1")
    runtime, k = start(tmp_path, broker.url)
    try:
        assert k.state()["pricebook_version"] == 1  # the seed file
        k.post("scan", {"code": MILK})
        k.bag(1040)
        assert milk_line(k)["unit_price"] == "6.50"
        # v2 arrives while the cart is open: stored at once, the open cart keeps v1 prices
        cloud.publish(TOPIC, encode_pricebook(repriced(2, "7.00")), retain=True)
        wait_for(lambda: stored_version(k) == 2, what="v2 stored")
        assert k.node.parts.session.co.pending_book is not None
        assert k.state()["pricebook_version"] == 1
        k.post("scan", {"code": MILK})  # a second unit, same cart: still the old price
        k.bag(1040)
        line = milk_line(k)
        assert (line["qty"], line["unit_price"], line["amount"]) == ("2", "6.50", "13.00")
        k.post("pay", {"method": "cash"})
        k.post("cash", {"value": "20"})
        (sale_event,) = events.wait_count("sale", 1)
        sale = SaleData.model_validate(sale_event["data"])
        assert sale.total == D("13.00")
        assert sale_event["data"]["pricebook_version"] == 1
        # the next cart is priced with v2
        k.post("new")
        assert k.state()["pricebook_version"] == 2
        k.post("scan", {"code": MILK})
        assert milk_line(k)["unit_price"] == "7.00"
        # an older book (v1, milk 1.00) and a malformed one: refused, reason logged, v2 kept
        rejected = k.node.book_rejections.count
        cloud.publish(TOPIC, encode_pricebook(repriced(1, "1.00")), retain=True)
        wait_for(lambda: k.node.book_rejections.count == rejected + 1, what="old book refused")
        assert "older than v2" in (k.node.book_rejections.last_reason or "")
        for junk in (b"\x1f\x8b garbage", b'{"store": "demo", "version": "three"}', b""):
            cloud.publish(TOPIC, junk, retain=True)
        cloud.publish(TOPIC, encode_pricebook(repriced(9, "0.01", store="other")))
        wait_for(lambda: k.node.book_rejections.count == rejected + 5, what="junk refused")
        assert "other" in (k.node.book_rejections.last_reason or "")
        assert any("older than v2" in r.getMessage() for r in caplog.records)
        assert stored_version(k) == 2
        assert k.state()["pricebook_version"] == 2
        assert milk_line(k)["unit_price"] == "7.00"
        k.post("scan", {"code": BAG})  # still selling
        # v3 arrives with this cart open, then the node restarts before the cart ends
        cloud.publish(TOPIC, encode_pricebook(repriced(3, "7.50")), retain=True)
        wait_for(lambda: stored_version(k) == 3, what="v3 stored")
        in_bag = k.scale.load_g
    finally:
        runtime.stop_all()
        events.close()
        cloud.close()
    # restart with the broker gone: the stored books win over the v1 seed file, and the
    # cart that was open keeps v2 prices; v3 waits for the next cart
    broker.stop()
    runtime, k = start(tmp_path, broker.url)
    try:
        assert not k.node.link.connected
        assert k.state()["pricebook_version"] == 2
        assert milk_line(k)["unit_price"] == "7.00"
        k.scale.set_load(in_bag)  # the bag is still there after the reboot
        wait_for(lambda: not k.state()["blocked"], what="bag weight as before")
        k.bag(1040)
        k.post("pay", {"method": "cash"})
        k.post("cash", {"value": "10"})
        assert k.state()["sale"]["total"] == "7.50"  # milk 7.00 + bag 0.50, v2
        k.post("new")
        assert k.state()["pricebook_version"] == 3
        k.post("scan", {"code": MILK})
        assert milk_line(k)["unit_price"] == "7.50"
    finally:
        runtime.stop_all()
