"""An online order collected at the kiosk with its pickup code, against a real cloud: the
cloud marks it collected and records its sale (paid online), the kiosk prints the receipt,
and the sale shows in the day's settlement under the online node; a wrong or used code is a
409 the screen translates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from cloud.db.session import transaction
from cloud.finance import service as finance
from cloud.inventory import service as inventory
from cloud.orders import service as orders
from cloud.pricebook.builder import build_pricebook
from cloud.products import service as products
from cloud.stores.localtime import local_today, zone
from cloud.stores.models import Store
from kiosk.shell.devices import Devices
from tests.kiosk.fakes import RecordingPrinter
from tests.kiosk.members_stack import Stack, cloud_stack, kiosk, node_config
from tests.kiosk.node import wait_for


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with cloud_stack(tmp_path_factory.mktemp("cloud")) as s:
        yield s


def _ready_order(stack: Stack, sku: str) -> tuple[str, str]:
    """(order id, pickup code) of a two-unit order picked and ready in store demo."""
    now = datetime.now(UTC)
    with transaction(stack.sessions()) as s:
        store = s.scalars(select(Store).where(Store.code == "demo")).one()
        product = products.get_product(s, sku)
        inventory.move(s, store_id=store.id, product_id=product.id, kind="receiving",
                       qty=Decimal(4), now=now)  # fmt: skip
        new = orders.NewOrder("miniprogram", "pickup", {"name": "Li"}, [(sku, Decimal(2))])
        order = orders.place(
            s, store, new, book=build_pricebook(s, store, 1, now), by="staff", now=now
        )
        orders.act(s, order, "pick", by="staff", now=now)
        for _ in range(2):
            orders.scan(s, order, sku, by="staff")
        orders.act(s, order, "ready", by="staff", now=now)
        return order.order_id, order.pickup_code


def test_collect_at_the_kiosk_prints_the_receipt_and_settles(tmp_path: Path, stack: Stack) -> None:
    item = stack.products[0]
    order_id, code = _ready_order(stack, item.sku)
    printer = RecordingPrinter()
    config = node_config(tmp_path, stack)
    with kiosk(config, Devices.from_config(config, printer=printer)) as k:
        assert k.post("pickup", {"code": "000000"}, status=409)["code"] in (
            "pickup_unknown",
            "pickup_not_ready",
        )
        done = k.post("pickup", {"code": code})
        assert done["pickup"]["sale_id"] == f"order-{order_id}"
        wait_for(lambda: printer.printed, what="receipt of the collected order")
        assert printer.printed == [(f"order-{order_id}", False)]
        assert k.post("pickup", {"code": code}, status=409)["code"] == "pickup_not_ready"
        assert k.state()["lines"] == []  # the checkout's cart is untouched
    with stack.sessions()() as s:
        store = s.scalars(select(Store).where(Store.code == "demo")).one()
        order = orders.get(s, order_id)
        assert order.status == "collected"
        day = finance.settle_day(s, store, local_today(zone(store.timezone), datetime.now(UTC)))
    online = next(row for row in day if row.node == "online")
    assert online.balanced
    # What the order was priced at: the demo's "evening bakery 30% off" runs 19-22 in Shanghai.
    assert online.tenders_cloud["online"] == order.total
    assert order.subtotal == 2 * item.price
