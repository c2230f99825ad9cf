"""The kiosk node end to end on fake hardware, with a real Mosquitto and the real UI app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal as D  # noqa: N817 - short money literals in tests
from pathlib import Path

import httpx
import pytest

from contracts.codec import encode
from contracts.messages import Ack, SaleData
from contracts.topics import ack_topic, events_filter
from edge.runtime import Runtime
from kiosk.payment.cash import FakeCashAcceptor
from kiosk.payment.simulator import PaymentSimulator
from kiosk.scale.fake import FakeScale
from kiosk.service import KioskNode, build_node
from kiosk.shell.devices import Devices
from kiosk.shell.zreport import close_day
from smartstore.broker import free_port
from tests.kiosk.books import BAG, BREAD, MILK
from tests.kiosk.fakes import RecordingPrinter
from tests.kiosk.mqtt_probe import Probe
from tests.kiosk.node import PIN, kiosk_config, wait_for
from tests.support.services import MosquittoProcess, mosquitto

pytestmark = pytest.mark.mosquitto


class Running:
    def __init__(self, node: KioskNode, printer: RecordingPrinter) -> None:
        self.node = node
        self.printer = printer
        assert node.ui is not None
        self.http = httpx.Client(base_url=node.ui.url, timeout=10)

    @property
    def scale(self) -> FakeScale:
        scale = self.node.devices.scale.scale
        assert isinstance(scale, FakeScale)
        return scale

    @property
    def terminal(self) -> PaymentSimulator:
        adapter = self.node.devices.payment.adapter
        assert isinstance(adapter, PaymentSimulator)
        return adapter

    def state(self) -> dict:  # type: ignore[type-arg]
        return self.http.get("/api/state").json()  # type: ignore[no-any-return]

    def post(self, path: str, body: dict | None = None, status: int = 200) -> dict:  # type: ignore[type-arg]
        r = self.http.post(f"/api/{path}", json=body or {})
        assert r.status_code == status, r.text
        return r.json()  # type: ignore[no-any-return]

    def bag(self, grams: float) -> None:
        self.scale.place(grams)
        wait_for(
            lambda: not any(ln["needs_bagging"] for ln in self.state()["lines"]), what="item bagged"
        )


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoProcess]:
    with mosquitto(tmp_path) as b:
        yield b


def start(tmp_path: Path, url: str) -> tuple[Runtime, Running]:
    printer = RecordingPrinter()
    cfg = kiosk_config(tmp_path, url)
    node = build_node(cfg, Devices.from_config(cfg, printer=printer))
    runtime = Runtime(node.services)
    runtime.start_all()
    return runtime, Running(node, printer)


def test_checkout_card_declined_then_approved_and_cash_with_change(
    tmp_path: Path, broker: MosquittoProcess
) -> None:
    probe = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1"))
    runtime, k = start(tmp_path, broker.url)
    try:
        k.post("scan", {"code": MILK[1:]})
        k.bag(1040)
        k.post("scan", {"code": BREAD})
        k.bag(400)
        k.post("scan", {"code": "bogus-code"}, status=409)
        assert k.state()["message"]["code"] == "unknown_item"
        # card declined, then approved for part; the rest in cash with change
        k.terminal.push("decline", "approve")
        k.post("pay", {"method": "card"})
        wait_for(lambda: k.state()["attempt"]["status"] == "declined", what="decline")
        assert k.state()["phase"] == "paying"
        k.post("cash", {"value": "5"})
        k.post("pay", {"method": "card"})  # 13.50 on the card
        wait_for(lambda: k.state()["attempt"]["status"] == "approved", what="approval")
        assert k.state()["phase"] == "receipt"
        wait_for(lambda: k.printer.printed, what="receipt")
        sales = wait_for(lambda: probe.of_type("sale"), what="sale at the broker")
    finally:
        runtime.stop_all()
        probe.close()
    sale = SaleData.model_validate(sales[0]["data"])  # validates the balance rules too
    assert sale.total == D("18.50")
    assert [(t.method, t.amount) for t in sale.tenders] == [("cash", D(5)), ("card", D("13.50"))]
    assert sum(t.amount for t in sale.tenders) - sale.change == sale.total
    assert len(k.terminal.approved_charges()) == 1
    assert len(sales) == 1


def test_cash_change_intervention_with_pin_and_zreport(
    tmp_path: Path, broker: MosquittoProcess
) -> None:
    probe = Probe(broker.host, broker.port, events_filter("demo", "kiosk-1"))
    runtime, k = start(tmp_path, broker.url)
    try:
        k.post("scan", {"code": BAG})
        k.post("pay", {"method": "cash"})
        k.post("cash", {"value": "20"})
        v = k.state()
        assert v["phase"] == "receipt"
        assert v["sale"]["change"] == "19.50"
        cash = k.node.devices.cash.acceptor
        assert isinstance(cash, FakeCashAcceptor)
        assert cash.dispensed
        k.post("finish")
        k.post("new")
        # wrong PIN counts as a failure; right PIN clears
        k.post("scan", {"code": "05449000000996"})  # beer: age check
        assert k.state()["interventions"][0]["kind"] == "age_restricted"
        k.post("clear", {"secret": "0000"}, status=409)
        assert k.state()["blocked"]
        k.post("clear", {"secret": PIN})
        assert not k.state()["blocked"]
        k.post("remove", {"line_id": k.state()["lines"][0]["line_id"]})
        session = k.node.parts.session
        report = close_day(session, session.co.clock())
        assert report["sales_count"] == 1
        zr = wait_for(lambda: probe.of_type("zreport"), what="zreport")
        kinds = (
            {m["data"]["state"] for m in probe.of_type("intervention")}
            if wait_for(lambda: len(probe.of_type("intervention")) >= 2, what="interventions")
            else set()
        )
    finally:
        runtime.stop_all()
        probe.close()
    assert zr[0]["data"]["tenders"][0]["method"] == "cash"
    assert kinds == {"raised", "cleared"}


def _ack_like_the_cloud(cloud: Probe) -> None:
    """Publish what the cloud would once it applied these events (SPEC §4)."""
    envelopes = [body for topic, body in cloud.messages if "/evt/" in topic]
    seqs = {int(e["seq"]) for e in envelopes}
    floor = 0
    while floor + 1 in seqs:
        floor += 1
    boot = max(int(e["boot"]) for e in envelopes if int(e["seq"]) == floor)
    ack = encode(Ack(boot=boot, seq=floor))
    cloud.client.publish(ack_topic("demo", "kiosk-1"), ack, qos=1).wait_for_publish(5)


def test_broker_down_for_a_whole_checkout(tmp_path: Path) -> None:
    """The sale made during an outage reaches a subscriber later, once, balanced.

    The "cloud" subscribes BEFORE the outage with a persistent session and the broker keeps
    sessions across its restart (persistence on): whichever of the node and the subscriber
    reconnects first, the broker holds the QoS 1 sale for the subscriber, so arrival proves
    delivery. (A subscriber that subscribed after recovery could miss a non-retained event
    published before it subscribed, so it would prove nothing.)
    """
    db_dir = tmp_path / "broker-db"
    db_dir.mkdir()
    # saved on shutdown; "user root" stops a root-started mosquitto from dropping to a user
    # that cannot enter pytest's private tmp dir (ignored when not started as root)
    persist = f"persistence true\npersistence_location {db_dir}/\nautosave_interval 0\nuser root\n"
    with mosquitto(tmp_path, extra_conf=persist) as broker:
        cloud = Probe(
            broker.host,
            broker.port,
            events_filter("demo", "kiosk-1"),
            persistent=True,
            client_id="cloud-ingest-test",
        )
        runtime, k = start(tmp_path, broker.url)
        try:
            wait_for(lambda: k.node.link.connected, what="node online")
            broker.stop()
            wait_for(lambda: not k.node.link.connected, what="node sees the outage")
            k.post("scan", {"code": BAG})
            k.post("scan", {"code": MILK})
            k.bag(1040)
            k.post("pay", {"method": "cash"})
            k.post("cash", {"value": "10"})
            wait_for(lambda: k.state()["phase"] == "receipt", what="sale complete offline")
            wait_for(lambda: k.printer.printed, what="receipt printed offline")
            assert k.node.outbox.depth() >= 1
            assert cloud.of_type("sale") == []
            broker.start()  # same port, sessions restored from the persistence file
            sales = wait_for(lambda: cloud.of_type("sale"), timeout=20, what="sale delivered")
            assert k.node.outbox.depth() >= 1  # the broker took it; the cloud has not acked
            _ack_like_the_cloud(cloud)
            wait_for(lambda: k.node.outbox.depth() == 0, timeout=20, what="outbox drained")
            # A later event from the same outbox: once it arrived, any duplicate of the sale
            # would already have (MQTT keeps one publisher's order for a subscriber).
            close_day(k.node.parts.session, k.node.parts.session.co.clock())
            zreports = wait_for(lambda: cloud.of_type("zreport"), timeout=20, what="zreport")
            sales = cloud.of_type("sale")
        finally:
            runtime.stop_all()
            cloud.close()
    # once for the cloud, which dedups by event id (a re-send may carry a second copy)
    assert len({s["event_id"] for s in sales}) == 1, [s["event_id"] for s in sales]
    sale = SaleData.model_validate(sales[0]["data"])  # checks Σ tenders − change = total too
    assert sale.sale_id == k.printer.printed[0][0]
    assert sale.total == D("7.00")
    assert sale.subtotal - sale.discount_total == sale.total
    assert [(t.method, t.amount) for t in sale.tenders] == [("cash", D(10))]
    assert sale.change == D("3.00")
    assert [(ln.gtin, ln.qty, ln.amount) for ln in sale.lines] == [
        (BAG, D(1), D("0.50")),
        (MILK, D(1), D("6.50")),
    ]
    assert zreports[0]["data"]["sale_ids"] == [sale.sale_id]
    assert D(zreports[0]["data"]["total"]) == sale.total
    assert sales[0]["seq"] < zreports[0]["seq"]


def test_printer_fault_raises_intervention_sale_still_complete(
    tmp_path: Path, broker: MosquittoProcess
) -> None:
    runtime, k = start(tmp_path, broker.url)
    try:
        k.printer.fault = "printer_paper_out"
        k.post("scan", {"code": BAG})
        k.post("pay", {"method": "card"})
        wait_for(lambda: k.state()["blocked"], what="printer intervention")
        v = k.state()
        assert v["phase"] == "receipt"
        assert v["interventions"][0]["kind"] == "printer_fault"
        k.printer.fault = None
        k.post("clear", {"secret": "BADGE-7", "kind": "badge"})
        k.post("reprint")
        wait_for(lambda: k.printer.printed == [(v["sale"]["sale_id"], True)], what="reprint")
        stats = k.node.outbox.stats()
        assert stats is not None
    finally:
        runtime.stop_all()


def test_suspend_survives_restart(tmp_path: Path) -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    runtime, k = start(tmp_path, url)
    try:
        k.post("scan", {"code": BAG})
        k.post("scan", {"code": BAG})
        code = k.post("suspend")["suspend_code"]
        assert k.state()["lines"] == []
    finally:
        runtime.stop_all()
    runtime, k = start(tmp_path, url)
    try:
        k.post("resume", {"code": "999999" if code != "999999" else "000000"}, status=409)
        k.post("resume", {"code": code})
        assert k.state()["lines"][0]["qty"] == "2"
        k.post("resume", {"code": code}, status=409)  # used once
    finally:
        runtime.stop_all()


def test_malformed_requests_do_not_crash(tmp_path: Path) -> None:
    runtime, k = start(tmp_path, f"mqtt://127.0.0.1:{free_port()}")
    try:
        assert k.http.post("/api/scan", json={"code": ""}).status_code == 422
        assert k.http.post("/api/qty", json={"line_id": "L9", "qty": 2}).status_code == 409
        assert k.http.post("/api/cash", json={"value": "abc"}).status_code == 409
        assert k.http.post("/api/scan", content=b"\xff\x00").status_code == 422
        assert k.http.post("/api/pay", json={"method": "gold"}).status_code == 422
        assert k.state()["phase"] == "idle"
    finally:
        runtime.stop_all()


def fault_states(node: KioskNode) -> list[bool]:
    """``active`` of the printer fault events waiting in the node's outbox, in order."""
    rows = node.outbox.fetch_unsent(0, 1000)
    faults = [json.loads(r.payload) for r in rows if r.topic.endswith("/fault")]
    return [bool(f["data"]["active"]) for f in faults if f["data"]["component"] == "printer"]


def test_receipt_to_a_network_printer_on_loopback(tmp_path: Path) -> None:
    from kiosk.printer.fake import FakeNetworkPrinter

    with FakeNetworkPrinter() as fake:
        cfg = kiosk_config(
            tmp_path,
            f"mqtt://127.0.0.1:{free_port()}",
            printer={"type": "network", "host": "127.0.0.1", "port": fake.port},
        )
        node = build_node(cfg)
        runtime = Runtime(node.services)
        runtime.start_all()
        try:
            k = Running(node, RecordingPrinter())
            k.post("scan", {"code": BAG})
            k.post("pay", {"method": "cash"})
            k.post("cash", {"value": "1"})
            assert fake.wait_for(lambda p: bool(p.jobs), timeout=10)
            fake.paper = "out"
            k.post("reprint")
            wait_for(lambda: k.state()["blocked"], what="paper-out intervention")
            assert k.state()["interventions"][0]["kind"] == "printer_fault"
            wait_for(lambda: fault_states(node) == [True], what="fault event")
            fake.paper = "ok"  # staff load paper: the fault clears without another receipt
            wait_for(lambda: fault_states(node) == [True, False], timeout=10, what="cleared")
        finally:
            runtime.stop_all()
    job = fake.jobs[0]
    assert job.startswith(b"\x1b@")  # ESC @ initialise
    assert b"Carrier bag" in job
    assert b"0.50" in job
    assert b"\x1dV" in job  # cut
