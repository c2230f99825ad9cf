"""Coupons at the kiosk: a code of a campaign the cloud's price book publishes is applied by
contracts.pricing, online and offline; expired codes are refused with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from smartstore.broker import free_port
from tests.kiosk.members_stack import Stack, cloud_stack, kiosk, node_config
from tests.kiosk.node import PIN


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with cloud_stack(tmp_path_factory.mktemp("cloud")) as s:
        yield s


def _discounts(v: dict) -> Decimal:  # type: ignore[type-arg]
    return Decimal(v["totals"]["discount_total"])


@pytest.mark.parametrize("online", [True, False])
def test_campaign_coupon_applies_and_expired_ones_are_refused(
    tmp_path: Path, stack: Stack, online: bool
) -> None:
    api = None if online else f"http://127.0.0.1:{free_port()}/api/v1"
    item = stack.products[2]
    with kiosk(node_config(tmp_path, stack, api_url=api)) as k:
        k.post("scan", {"code": item.gtins[0]})
        k.post("scan", {"code": item.gtins[0]})
        before = _discounts(k.state())
        # scanned like any code (camera or serial scanner route through the scanning part)
        v = k.post("scan", {"code": stack.coupon})
        assert v["coupons"] == [stack.coupon]
        assert _discounts(v) == before + Decimal("5.00")
        # a campaign whose codes have all lapsed: the book's window is closed, offline too
        refused = k.post("coupon", {"code": stack.expired_campaign}, status=409)
        assert refused["code"] == "coupon_expired"
        # a lapsed code of a running campaign: only the cloud knows it lapsed; offline the
        # kiosk would honour it (ingest reports it, decision 0121) but one code per campaign
        lapsed = k.post("coupon", {"code": stack.expired_in_active}, status=409)
        assert lapsed["code"] == ("coupon_expired" if online else "coupon_one_per_campaign")
        assert k.state()["coupons"] == [stack.coupon]
        unknown = k.post("coupon", {"code": "ZZZ-NOT-A-CAMPAIGN"}, status=409)
        assert unknown["code"] == "bad_coupon"
        if k.state()["blocked"]:  # three refusals in a row call the attendant
            assert k.state()["interventions"][0]["kind"] == "repeated_failures"
            k.post("clear", {"secret": PIN})
        sale = k.pay_card()
        stored = k.node.parts.session.store.sale(sale["sale_id"])
    assert stored is not None
    assert stored.model_extra is not None
    assert stored.model_extra["coupons"] == [stack.coupon]
    assert any(d.promotion == "SPRING" for ln in stored.lines for d in ln.discounts)


def test_used_coupon_refused_online(tmp_path: Path, stack: Stack) -> None:
    """The cloud's own reasons reach the screen (here: a code unknown to the cloud)."""
    with kiosk(node_config(tmp_path, stack)) as k:
        k.post("scan", {"code": stack.products[0].gtins[0]})
        r = k.post("coupon", {"code": "SPR" + "X" * 10}, status=409)
        assert r["code"] == "coupon_unknown"
        assert k.state()["coupons"] == []
