"""The kiosk end to end on fake hardware with each real payment adapter against its fake
gateway on loopback: a sale paid by the shopper's payment code, a payment reversed after the
shopper never confirmed, a partial refund at the return desk back to the same provider, and
the Z report's totals per provider."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contracts.receipts import read_token, store_key
from kiosk.shell.zreport import close_day
from tests.kiosk.books import BAG
from tests.kiosk.members_stack import Kiosk, kiosk
from tests.kiosk.node import PIN, kiosk_config, wait_for
from tests.kiosk.payments_world import PROVIDERS, UNDONE, Provider, provider


@pytest.fixture(params=PROVIDERS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Kiosk, Provider]]:
    key = tmp_path / "receipt.key"
    key.write_text(store_key(b"cloud secret", "demo").hex())
    receipts = {"public_url": "https://shop.example", "key": {"file": str(key)}}
    with (
        provider(request.param, tmp_path, user_paying_timeout_s=1.0) as p,
        kiosk(
            kiosk_config(tmp_path, payment=p.config, scale={"type": "none"}, receipts=receipts)
        ) as k,
    ):
        yield k, p


def outbox(k: Kiosk, kind: str) -> list[dict[str, Any]]:
    path = k.node.config.outbox.path
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT payload FROM outbox WHERE type=? ORDER BY rowid", (kind,))
        return [json.loads(raw)["data"] for (raw,) in rows]


def start_paying(k: Kiosk, p: Provider) -> None:
    """On the paying screen: the shopper shows a payment code, or presses "card"."""
    k.post("pay", {"method": "cash"})
    if p.code is None:
        k.post("pay", {"method": "card"})
    else:
        k.post("scan", {"code": p.code})


def pay_by_code(k: Kiosk, p: Provider) -> dict[str, Any]:
    k.post("scan", {"code": BAG})
    k.post("scan", {"code": BAG})
    start_paying(k, p)
    return wait_for(lambda: k.state()["sale"], what="sale")  # type: ignore[no-any-return]


def test_paid_reversed_refunded_and_totalled_by_provider(world: tuple[Kiosk, Provider]) -> None:
    k, p = world
    sale = pay_by_code(k, p)
    assert sale["total"] == "1.00"
    link = sale["receipt_url"]  # the after-sale screen's e-receipt QR, as printed
    assert link.startswith("https://shop.example/r/")
    assert read_token(link.rsplit("/", 1)[1]) == ("demo", sale["sale_id"])
    (event,) = outbox(k, "sale")
    tender = event["tenders"][0]
    method = "card" if p.code is None else "mobile"
    assert (tender["method"], tender["provider"], tender["amount"]) == (method, p.name, "1.00")
    assert p.charged() == {tender["reference"]: Decimal("1.00")}
    k.post("finish")
    k.post("new")

    # the shopper never confirms: the kiosk gives up and reverses it, nothing is charged
    p.user_paying_forever()
    k.post("scan", {"code": BAG})
    start_paying(k, p)
    wait_for(lambda: k.state()["attempt"]["status"] == "declined", what="reversed", timeout=15)
    assert k.state()["phase"] == "paying"
    (waited,) = set(p.states()) - set(p.charged())
    assert p.state_of(waited) in UNDONE
    assert p.charged() == {tender["reference"]: Decimal("1.00")}
    k.post("cash", {"value": "1"})
    k.post("finish")
    k.post("new")

    # a partial refund: one of the two bags back, on the same provider
    k.post("return/start", {"secret": PIN, "receipt": link})  # the e-receipt QR opens it
    body = {"lines": [{"line_no": 1, "qty": "1"}], "reason": "changed mind"}
    done = k.post("return/confirm", body)
    assert [(r["method"], r["amount"]) for r in done["refunds"]] == [(method, "0.50")]
    assert p.charged() == {tender["reference"]: Decimal("0.50")}
    (ret,) = outbox(k, "return")
    assert ret["refunds"][0]["provider"] == p.name

    session = k.node.parts.session
    report = close_day(session, session.co.clock())
    by_provider = {t["provider"]: t for t in report["providers"]}
    assert by_provider[p.name] == {
        "provider": p.name,
        "count": 1,
        "amount": "1.00",
        "refunds_count": 1,
        "refunds": "0.50",
    }
    assert by_provider["cash"]["amount"] == "1.00"
