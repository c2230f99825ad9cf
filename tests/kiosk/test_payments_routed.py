"""One kiosk taking WeChat Pay codes, Alipay codes and cards at once (``payment.type:
routed``), each against its own fake gateway: every sale goes to the provider the shopper
used, a refund goes back to it, and the Z report totals each provider."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.shell.zreport import close_day
from tests.kiosk.books import BAG
from tests.kiosk.members_stack import Kiosk, kiosk
from tests.kiosk.node import PIN, kiosk_config, wait_for
from tests.kiosk.payments_world import PROVIDERS, Provider, provider


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Kiosk, dict[str, Provider]]]:
    with ExitStack() as stack:
        ps = {n: stack.enter_context(provider(n, tmp_path)) for n in PROVIDERS}
        routed = {"type": "routed", **{n: p.config for n, p in ps.items()}}
        k = stack.enter_context(
            kiosk(kiosk_config(tmp_path, payment=routed, scale={"type": "none"}))
        )
        yield k, ps


def test_each_sale_goes_to_the_provider_the_shopper_used(
    world: tuple[Kiosk, dict[str, Provider]],
) -> None:
    k, ps = world
    sales = {}
    for name, p in ps.items():
        k.post("scan", {"code": BAG})
        k.post("pay", {"method": "cash"})
        if p.code is None:
            k.post("pay", {"method": "card"})
        else:
            k.post("scan", {"code": p.code})
        sales[name] = wait_for(lambda: k.state()["sale"], what=f"{name} sale")
        k.post("finish")
        k.post("new")
    for name, p in ps.items():
        assert list(p.charged().values()) == [Decimal("0.50")], name
    # a refund goes back to the provider of the sale, found by asking each
    k.post("return/start", {"secret": PIN, "receipt": sales["alipay"]["sale_id"]})
    k.post("return/confirm", {"lines": [{"line_no": 1, "qty": "1"}], "reason": "faulty"})
    assert list(ps["alipay"].charged().values()) == [Decimal(0)]
    assert list(ps["wechatpay"].charged().values()) == [Decimal("0.50")]
    session = k.node.parts.session
    report = close_day(session, session.co.clock())
    totals = {t["provider"]: (t["amount"], t["refunds"]) for t in report["providers"]}
    assert totals == {
        "alipay": ("0.50", "0.50"),
        "card": ("0.50", "0.00"),
        "wechatpay": ("0.50", "0.00"),
    }
