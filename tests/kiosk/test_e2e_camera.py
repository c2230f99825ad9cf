"""Acceptance: rendered camera frames → real OpenCV + decoders → cart → card declined then
approved, cash with change → receipt on a loopback network printer → sale at Mosquitto."""

from __future__ import annotations

import random
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

import numpy as np
import pytest

from contracts.messages import SaleData
from contracts.topics import events_filter
from edge.runtime import Runtime
from kiosk.payment.cash import FakeCashAcceptor
from kiosk.payment.simulator import PaymentSimulator
from kiosk.printer.fake import FakeNetworkPrinter
from kiosk.scale.fake import FakeScale
from kiosk.scanner.testing import Label, background, render_frame, write_video
from kiosk.service import build_node
from tests.kiosk.books import BREAD, MILK
from tests.kiosk.mqtt_probe import Probe
from tests.kiosk.node import kiosk_config, wait_for
from tests.support.services import mosquitto

pytestmark = [pytest.mark.mosquitto, pytest.mark.slow]


def scan_video(path: Path) -> None:
    """Milk in view, an empty scene (the code leaves), then bread in view."""
    rng = random.Random(7)
    scene = background(rng)
    frames: list[np.ndarray] = [scene.copy() for _ in range(10)]  # type: ignore[type-arg]
    for gtin in (MILK, BREAD):
        label = Label("ean13", gtin[1:], gtin)
        frames += [
            render_frame(label, "clean", rng, scene=scene.copy(), centre=(640, 360))
            for _ in range(20)
        ]
        frames += [scene.copy() for _ in range(20)]
    write_video(str(path), frames, fps=15)


def test_camera_to_broker(tmp_path: Path) -> None:
    video = tmp_path / "shopper.avi"
    scan_video(video)
    with mosquitto(tmp_path) as broker, FakeNetworkPrinter() as printer:
        probe = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1"))
        cfg = kiosk_config(
            tmp_path,
            broker.url,
            scanner={
                "type": "camera",
                "source": str(video),
                "realtime": True,
                "confirm_frames": 2,
                "debounce_s": 5.0,
            },
            printer={"type": "network", "host": "127.0.0.1", "port": printer.port},
        )
        node = build_node(cfg)
        runtime = Runtime(node.services)
        runtime.start_all()
        session, payments = node.parts.session, node.parts.payments
        co = session.co
        scale = node.devices.scale.scale
        terminal = node.devices.payment.adapter
        cash = node.devices.cash.acceptor
        assert isinstance(scale, FakeScale)
        assert isinstance(terminal, PaymentSimulator)
        try:
            wait_for(lambda: len(session.co.cart.lines) == 1, timeout=30, what="milk scanned")
            scale.place(1040)
            wait_for(lambda: len(session.co.cart.lines) == 2, timeout=30, what="bread scanned")
            scale.place(398)
            wait_for(
                lambda: not any(ln.needs_bagging for ln in session.co.cart.lines),
                what=f"bagged {co.cart.lines} {co.open_interventions} {scale.load_g}",
            )
            assert [ln.sku for ln in session.co.cart.lines] == ["milk", "bread"]
            assert all(ln.qty == 1 for ln in session.co.cart.lines)
            session.act(session.co.start_payment)
            terminal.push("decline", "approve")
            payments.pay_card(amount=D("10.00"), wait=True)
            assert session.co.ledger.attempts[-1].status == "declined"
            payments.pay_card(amount=D("10.00"), wait=True)
            assert session.co.due() == D("8.50")
            assert isinstance(cash, FakeCashAcceptor)
            cash.start(payments.on_cash)
            cash.insert(D(20))
            assert session.co.phase == "receipt"
            assert printer.wait_for(lambda p: bool(p.jobs), timeout=15)
            sales = wait_for(lambda: probe.of_type("sale"), timeout=20, what="sale event")
        finally:
            runtime.stop_all()
            probe.close()
    sale = SaleData.model_validate(sales[0]["data"])
    assert sale.total == D("18.50")
    assert sale.change == D("11.50")
    assert [(t.method, t.amount) for t in sale.tenders] == [("card", D(10)), ("cash", D(20))]
    assert sum(t.amount for t in sale.tenders) - sale.change == sale.total
    job = printer.jobs[0]
    assert b"Milk 1L" in job
    assert b"Bread" in job
    assert b"18.50" in job
    assert b"11.50" in job
    assert len(terminal.approved_charges()) == 1
