"""The simulated staff's deliveries go through purchase orders when their client has a
buyer (the demo's manager): drafted by staff, approved and sent by the manager, received by
staff, against the seed's wholesaler; without a buyer they stay plain receivings."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from cloud.seed.service import SUPPLIER
from simulators.cloudapi import CloudApi
from tests.cloud.web.server import PASSWORD, ConsoleServer, console_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path) as srv:
        yield srv


def test_a_delivery_is_ordered_approved_sent_and_received(server: ConsoleServer) -> None:
    staff = CloudApi(server.url, "staff", PASSWORD)
    staff.buyer = CloudApi(server.url, "manager", PASSWORD)
    try:
        sku = next(iter(staff.all_pages("/products")))["sku"]
        before = staff.on_hand("demo").get(sku, Decimal(0))
        number = staff.deliver("demo", sku, 24, "DEL-1", Decimal("2.50"), SUPPLIER[0])
        assert number is not None
        order = staff._request("GET", f"/purchase-orders/{number}")
        assert (order["status"], order["supplier"], order["created_by"]) == (
            "received",
            "WHOLESALE",
            "staff",
        )
        assert order["approved_by"] == "manager"
        assert staff.on_hand("demo")[sku] == before + 24

        staff.buyer.close()
        staff.buyer = None
        assert staff.deliver("demo", sku, 6, "DEL-2", Decimal("2.50"), SUPPLIER[0]) is None
        assert staff.on_hand("demo")[sku] == before + 30
    finally:
        staff.close()
