"""Weighed and price-labelled items through the running node (screen API, scale, sale).

The node reads GS1 variable-measure labels under Odoo's rules (``gs1.rcn_region: odoo``):
``21 12345 NNDDD c`` carries kilograms, ``23 12346 NNNDD c`` the price.
"""

from __future__ import annotations

import contextlib
import os
import tty
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.messages import SaleData
from edge.runtime import Runtime
from kiosk.exceptions import KioskError
from kiosk.service import build_node
from kiosk.shell.devices import Devices
from kiosk.ui.deps import view as screen_view
from smartstore.broker import free_port
from tests.kiosk.books import CHEESE, DELI
from tests.kiosk.fakes import RecordingPrinter
from tests.kiosk.node import kiosk_config, wait_for
from tests.kiosk.test_service import Running

CHEESE_1250G = "2112345012506"  # 1.250 kg of cheese at 58.00/kg
CHEESE_750G = "2112345007502"
DELI_1999 = "2312346019997"  # a deli tray labelled 19.99


def start(tmp_path: Path, **extra: Any) -> tuple[Runtime, Running]:
    cfg = kiosk_config(
        tmp_path, f"mqtt://127.0.0.1:{free_port()}", gs1={"rcn_region": "odoo"}, **extra
    )
    printer = RecordingPrinter()
    node = build_node(cfg, Devices.from_config(cfg, printer=printer))
    runtime = Runtime(node.services)
    runtime.start_all()
    return runtime, Running(node, printer)


def test_weight_and_price_labels_price_weigh_and_sell(tmp_path: Path) -> None:
    runtime, k = start(tmp_path)
    try:
        k.post("scan", {"code": CHEESE_1250G})
        (cheese,) = k.state()["lines"]
        assert (cheese["qty"], cheese["weighed"]) == ("1.25", True)
        assert (cheese["unit_price"], cheese["amount"]) == ("58.00", "72.50")
        assert cheese["needs_bagging"]
        # the bagging check expects the label's 1250 g: 1000 g is a mismatch ...
        k.scale.place(1000)
        wait_for(lambda: k.state()["blocked"], what="weight mismatch")
        assert k.state()["interventions"][0]["kind"] == "weight_mismatch"
        # ... and the right weight clears it by itself
        k.scale.place(250)
        wait_for(lambda: not k.state()["blocked"], what="mismatch cleared")
        wait_for(lambda: not k.state()["lines"][0]["needs_bagging"], what="cheese bagged")
        # a second weight label never merges with the first
        k.post("scan", {"code": CHEESE_750G})
        k.bag(750)
        # a price label: one unit at the printed price, no weight to check
        k.post("scan", {"code": DELI_1999})
        deli = k.state()["lines"][2]
        assert (deli["qty"], deli["unit_price"], deli["amount"]) == ("1", "19.99", "19.99")
        assert not deli["needs_bagging"]
        # quantities of labelled lines are fixed
        r = k.http.post("/api/qty", json={"line_id": deli["line_id"], "qty": 3})
        assert r.json()["code"] == "fixed_qty"
        assert k.state()["totals"]["total"] == "135.99"  # 72.50 + 43.50 + 19.99
        k.post("pay", {"method": "card"})
        wait_for(lambda: k.state()["phase"] == "receipt", what="card sale")
        sale_id = k.state()["sale"]["sale_id"]
    finally:
        runtime.stop_all()
    sale = k.node.parts.session.store.sale(sale_id)
    assert isinstance(sale, SaleData)
    assert [(ln.gtin, ln.qty, ln.unit_price, ln.amount) for ln in sale.lines] == [
        (CHEESE, D("1.25"), D("58.00"), D("72.50")),
        (CHEESE, D("0.75"), D("58.00"), D("43.50")),
        (DELI, D(1), D("19.99"), D("19.99")),
    ]
    assert sale.total == D("135.99")


def test_bad_labels_are_refused_and_the_node_keeps_selling(tmp_path: Path) -> None:
    runtime, k = start(tmp_path)
    try:
        bad_check_digit = CHEESE_1250G[:-1] + "0"
        r = k.http.post("/api/scan", json={"code": bad_check_digit})
        assert r.status_code == 409
        assert r.json()["code"] == "unknown_item"
        # the cheese's plain lookup code without a weight: it must be weighed first
        r = k.http.post("/api/scan", json={"code": CHEESE})
        assert r.json()["code"] == "needs_weight"
        zero_kg = "2112345000008"  # a weight label that says 0.000 kg
        assert k.http.post("/api/scan", json={"code": zero_kg}).json()["code"] == "needs_weight"
        assert k.state()["lines"] == []
        k.post("scan", {"code": CHEESE_750G})
        assert k.state()["lines"][0]["qty"] == "0.75"
    finally:
        runtime.stop_all()


def test_weight_label_from_a_serial_scanner_on_a_pty(tmp_path: Path) -> None:
    """The handheld scanner path: real pyserial on a pty, GS1 read by the scanner service."""
    master, slave = os.openpty()
    tty.setraw(slave)
    runtime, k = start(tmp_path, scanner={"type": "serial", "port": os.ttyname(slave)})
    try:
        os.write(master, b"garbage\x00\xff\r" + CHEESE_1250G.encode() + b"\r")
        (line,) = wait_for(lambda: k.state()["lines"], what="scanned weight label")
        assert (line["qty"], line["amount"]) == ("1.25", "72.50")
        k.bag(1250)
    finally:
        runtime.stop_all()
        os.close(master)
        os.close(slave)


def test_any_typed_text_is_an_item_or_a_refusal(tmp_path: Path) -> None:
    """Manual entry goes through the GS1 reader now: arbitrary text never escapes as a crash."""
    cfg = kiosk_config(tmp_path, gs1={"rcn_region": "odoo"}, payment={"type": "none"})
    node = build_node(cfg, Devices.from_config(cfg, printer=RecordingPrinter()))
    session = node.parts.session

    @settings(max_examples=100, deadline=None)
    @given(
        st.one_of(
            st.text(max_size=60),
            st.from_regex(r"\A2[0-9]{12}\Z"),  # variable-measure shaped, mostly bad check digits
            st.from_regex(r"\A\]?[A-Za-z][0-9]\x1d?01[0-9]{14}17[0-9]{6}\Z"),
        )
    )
    def scan(text: str) -> None:
        with contextlib.suppress(KioskError):
            node.parts.scanning.scan(text)
        view = screen_view(node.parts)  # the screen still renders
        assert all(D(ln["qty"]) > 0 for ln in view["lines"])
        if session.co.blocked or len(session.co.cart.lines) > 20:
            session.act(lambda: session.co.clear(None, "test", "pin", approve=False))

    try:
        scan()
    finally:
        node.outbox.close()
