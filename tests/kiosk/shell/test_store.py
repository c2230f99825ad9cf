"""The Z report of a real kiosk day (UI API, SQLite outbox, fake cash acceptor, terminal
simulator; no broker): refunds made at the kiosk come off the drawer's expected cash, each
return is on exactly one Z report, and an upgraded kiosk does not pull in old refunds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.codec import decode_event
from contracts.messages import ZReportData
from edge.outbox import Outbox
from edge.runtime import Runtime
from kiosk.domain.returns import receipt_number
from kiosk.service import KioskNode, build_node
from kiosk.shell.devices import Devices
from kiosk.shell.returns import DDL as RETURNS_DDL
from kiosk.shell.store import KioskStore
from kiosk.shell.zreport import close_day
from tests.kiosk.books import BAG, NOW, Clock
from tests.kiosk.fakes import RecordingPrinter
from tests.kiosk.node import PIN, kiosk_config, wait_for


class Node:
    def __init__(self, node: KioskNode, clock: Clock) -> None:
        self.node, self.clock = node, clock
        assert node.ui is not None
        self.http = httpx.Client(base_url=node.ui.url, timeout=10)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = self.http.post(f"/api/{path}", json=body or {})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def sale(self, bags: int, cash: str | None) -> dict[str, Any]:
        """``bags`` carrier bags (0.50 each), paid with one ``cash`` note, else by card."""
        for _ in range(bags):
            self.post("scan", {"code": BAG})
        if cash is not None:
            self.post("pay", {"method": "cash"})
            self.post("cash", {"value": cash})
        else:
            self.post("pay", {"method": "card"})
        sale: dict[str, Any] = wait_for(
            lambda: self.http.get("/api/state").json()["sale"], what="sale"
        )
        self.post("finish")
        self.post("new")
        return sale

    def refund(self, sale_id: str, qty: str) -> dict[str, Any]:
        self.post("return/start", {"secret": PIN, "receipt": sale_id})
        return self.post(
            "return/confirm", {"lines": [{"line_no": 1, "qty": qty}], "reason": "unwanted"}
        )

    def zreport(self) -> ZReportData:
        return ZReportData.model_validate(close_day(self.node.parts.session, self.clock()))


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Node]:
    clock = Clock(NOW)
    cfg = kiosk_config(tmp_path)
    node = build_node(cfg, Devices.from_config(cfg, printer=RecordingPrinter()), clock=clock)
    runtime = Runtime(node.services)
    runtime.start_all()
    k = Node(node, clock)
    try:
        yield k
    finally:
        k.http.close()
        runtime.stop_all()


def test_cash_refund_comes_off_expected_cash_and_refunds_are_reported_by_method(
    kiosk: Node,
) -> None:
    card_sale = kiosk.sale(4, cash=None)  # yesterday: 2.00 on the card
    yesterday = kiosk.zreport()
    assert (yesterday.sales_count, yesterday.refunds, yesterday.cash_expected) == (1, [], D(0))

    kiosk.clock.advance(86400)
    first = kiosk.sale(3, cash="5")  # 1.50, change 3.50
    second = kiosk.sale(1, cash="1")  # 0.50, change 0.50
    cash_back = kiosk.refund(first["sale_id"], "1")  # today's cash sale: one bag back in cash
    card_back = kiosk.refund(card_sale["sale_id"], "2")  # yesterday's card sale: on the card
    assert [r["method"] for r in cash_back["refunds"]] == ["cash"]
    assert [r["method"] for r in card_back["refunds"]] == ["card"]
    kiosk.clock.advance(3600)
    z = kiosk.zreport()

    assert z.sale_ids == [first["sale_id"], second["sale_id"]]
    assert [(t.method, t.count, t.amount) for t in z.tenders] == [("cash", 2, D("6.00"))]
    assert z.change == D("4.00")
    assert z.cash_expected == D("1.50")  # 6.00 taken - 4.00 change - 0.50 refunded, exactly
    assert [(r.method, r.count, r.amount) for r in z.refunds or []] == [
        ("card", 1, D("1.00")),
        ("cash", 1, D("0.50")),
    ]
    assert (z.refunds_count, z.refunds_total) == (2, D("1.50"))
    assert z.return_ids == [cash_back["return_id"], card_back["return_id"]]
    assert z.total == D("2.00")  # the day's sales; refunds are reported beside them

    published = [
        decode_event(row.topic, row.payload)
        for row in kiosk.node.outbox.fetch_unsent(0, 1000)
        if row.topic.endswith("/zreport")
    ]
    assert [e.payload for e in published] == [yesterday, z]  # what the cloud gets

    again = kiosk.zreport()  # nothing new: the refunds are not counted twice
    assert (again.refunds, again.refunds_count, again.cash_expected) == ([], 0, D(0))


def test_upgraded_kiosk_leaves_refunds_of_closed_days_out(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    outbox = Outbox.open(path, "demo", "kiosk-1")
    try:
        store = KioskStore(outbox)
        outbox.ensure_schema(RETURNS_DDL)
        closed = NOW + timedelta(hours=8)
        with outbox.transaction() as tx:  # an old kiosk: one Z report, returns before and after
            tx.conn.execute("INSERT INTO kiosk_zreports VALUES (1, ?, '{}')", (closed.isoformat(),))
            for rid, at, amount in (("R-old", NOW, "3.00"), ("R-new", closed, "1.25")):
                tx.conn.execute(
                    "INSERT INTO kiosk_returns VALUES (?, 'S-1', ?, '{}', ?)",
                    (
                        rid,
                        (at + timedelta(minutes=1 if rid == "R-new" else 0)).isoformat(),
                        json.dumps([{"method": "cash", "amount": amount}]),
                    ),
                )
            tx.conn.execute("DROP TABLE kiosk_zreport_returns")  # as before this version
        upgraded = KioskStore(outbox)
        assert [(r.return_id, r.refunds) for r in upgraded.open_returns()] == [
            ("R-new", (("cash", D("1.25")),))
        ]
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT * FROM kiosk_zreport_returns").fetchall() == [("R-old", 0)]
        assert store.open_returns() == upgraded.open_returns()
    finally:
        outbox.close()


def test_kiosk_without_a_return_desk_has_no_open_returns(tmp_path: Path) -> None:
    outbox = Outbox.open(tmp_path / "node.sqlite3", "demo", "kiosk-1")
    try:
        assert KioskStore(outbox).open_returns() == []
    finally:
        outbox.close()


def test_the_printed_receipt_number_finds_its_sale_unless_two_share_it(kiosk: Node) -> None:
    made = kiosk.sale(1, cash="1")
    store = kiosk.node.parts.session.store
    number = receipt_number(made["sale_id"])
    found = store.sale(number)
    assert found is not None
    assert found.sale_id == made["sale_id"]
    assert store.sale(made["sale_id"][:11]) is None  # only the printed length, never shorter
    twin = found.model_copy(update={"sale_id": number + "f" * 20})
    store.commit({"cart": {"cart_id": twin.sale_id}}, sale=twin)
    assert store.sale(number) is None  # two sales print the same number: ask for the QR
    assert store.sale(made["sale_id"]) == found  # the full id still finds it
