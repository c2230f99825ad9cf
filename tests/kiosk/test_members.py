"""Member flow at the kiosk against a real cloud (uvicorn on a free port) and with the cloud
unreachable: balance and tier shown, points capped by the balance online and by the book's
offline limit otherwise, tier discount priced by contracts.pricing, coupons checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.pricing import BasketLine, price_basket
from smartstore.broker import free_port
from tests.kiosk.members_stack import (
    BALANCE,
    PHONE,
    Stack,
    cloud_stack,
    kiosk,
    node_config,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with cloud_stack(tmp_path_factory.mktemp("cloud")) as s:
        yield s


def test_online_balance_tier_discount_and_points_up_to_the_balance(
    tmp_path: Path, stack: Stack
) -> None:
    item = stack.products[0]
    with kiosk(node_config(tmp_path, stack)) as k:
        k.post("scan", {"code": item.gtins[0]})
        k.post("scan", {"code": item.gtins[0]})
        v = k.post("member", {"kind": "phone", "value": PHONE})
        info = v["member_info"]
        assert info["online"] is True
        assert info["balance"] == BALANCE
        assert info["tier"] == "gold"
        assert info["redeem_cap"] == BALANCE
        assert Decimal(info["discount_rate"]) == stack.book.tier("gold").discount_rate  # type: ignore[union-attr]
        # the total is contracts.pricing's, with the gold discount on top of what a member pays
        lines = [BasketLine("L1", item.sku, Decimal(2), gtin=item.gtins[0])]
        at = datetime.now(UTC)
        gold = price_basket(stack.book, lines, at=at, member=True, tier="gold")
        plain = price_basket(stack.book, lines, at=at, member=True)
        assert Decimal(v["totals"]["total"]) == gold.total < plain.total
        assert "tier:gold" in gold.promotions_applied
        # online the balance is the limit, not the (smaller) offline limit
        refused = k.post("points", {"points": BALANCE + 1}, status=409)
        assert refused["code"] == "points_balance"
        assert stack.book.points.offline_redeem_limit < 600 <= BALANCE
        k.post("points", {"points": 600})
        sale = k.pay_card()
        stored = k.node.parts.session.store.sale(sale["sale_id"])
    assert stored is not None
    assert stored.model_extra is not None
    assert stored.model_extra["member_tier"] == "gold"
    points = [t for t in stored.tenders if t.method == "points"]
    assert points[0].amount == Decimal(600) * stack.book.points.redeem_value
    assert stored.total == gold.total


@pytest.mark.parametrize("cloud", ["closed_port", "silent_server"])
def test_cloud_unreachable_falls_back_to_the_offline_limit(
    tmp_path: Path, stack: Stack, cloud: str
) -> None:
    listener = None
    port = free_port()
    if cloud == "silent_server":  # accepts connections, never answers: the timeout decides
        listener = socket.create_server(("127.0.0.1", port))
    limit = stack.book.points.offline_redeem_limit
    try:
        config = node_config(tmp_path, stack, api_url=f"http://127.0.0.1:{port}/api/v1")
        config.cloud_api.timeout_s = 0.5  # type: ignore[union-attr]
        with kiosk(config) as k:
            k.post("scan", {"code": stack.products[1].gtins[0]})
            v = k.post("member", {"kind": "phone", "value": PHONE})
            assert v["member"] == {"phone": PHONE}
            assert v["member_info"]["online"] is False
            assert v["member_info"]["tier"] is None
            assert v["member_info"]["redeem_cap"] == limit
            refused = k.post("points", {"points": limit + 1}, status=409)
            assert refused["code"] == "points_limit"
            assert "offline" in refused["message"]
            k.post("points", {"points": limit})
            assert k.state()["points"] == limit
    finally:
        if listener is not None:
            listener.close()


def test_unknown_member_is_attached_without_balance(tmp_path: Path, stack: Stack) -> None:
    with kiosk(node_config(tmp_path, stack)) as k:
        k.post("scan", {"code": stack.products[0].gtins[0]})
        v = k.post("member", {"kind": "phone", "value": "13000000009"})
        assert v["member"] == {"phone": "13000000009"}
        assert v["member_info"]["online"] is False  # the cloud does not know them: offline rules
        bad = k.post("member", {"kind": "phone", "value": "12ab"}, status=409)
        assert bad["code"] == "bad_member"
