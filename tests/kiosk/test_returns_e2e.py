"""Attendant return and invoice request at the kiosk, end to end: kiosk → outbox → real
Mosquitto → ingest worker → cloud database (stock, points, finance, invoice PDF)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from cloud.ingest.worker import IngestWorker
from cloud.inventory.models import Movement
from cloud.invoices.models import Invoice
from cloud.members.models import Member, PointsEntry
from cloud.returns.models import RefundEntry, Return, ReturnRefund
from cloud.sales.models import Sale
from cloud.settings import CloudSettings
from kiosk.domain.returns import RECEIPT_URL, receipt_number
from kiosk.payment.cash import FakeCashAcceptor
from kiosk.payment.simulator import PaymentSimulator
from tests.cloud.web.server import PASSWORD
from tests.kiosk.members_stack import PHONE, Kiosk, Stack, cloud_stack, kiosk, node_config
from tests.kiosk.node import PIN, wait_for
from tests.support.services import MosquittoProcess, mosquitto

pytestmark = pytest.mark.mosquitto


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Stack, MosquittoProcess, IngestWorker]]:
    with mosquitto(tmp_path) as broker, cloud_stack(tmp_path / "cloud") as stack:
        worker = IngestWorker(
            CloudSettings(mqtt_url=broker.url, device_timeout_s=3600), stack.cloud.sessions
        )
        worker.start()
        assert worker.wait_connected(10)
        try:
            yield stack, broker, worker
        finally:
            worker.stop()


def _on_hand(stack: Stack, gtin: str) -> Decimal:
    with stack.cloud.sessions() as s:
        return Decimal(
            s.scalar(select(func.coalesce(func.sum(Movement.qty), 0)).where(Movement.gtin == gtin))
            or 0
        )


def _five_line_sale(k: Kiosk, stack: Stack) -> str:
    for p in stack.products:
        k.post("scan", {"code": p.gtins[0]})
    k.post("scan", {"code": stack.products[1].gtins[0]})  # line 2 × 2
    k.post("member", {"kind": "phone", "value": PHONE})
    sale = k.pay_card(cash_first="5")  # split tender: 5.00 cash, the rest on the card
    return str(sale["sale_id"])


def test_return_two_lines_refunds_tenders_and_the_cloud_applies_it(
    tmp_path: Path, world: tuple[Stack, MosquittoProcess, IngestWorker]
) -> None:
    stack, broker, _ = world
    gtins = [p.gtins[0] for p in stack.products]
    with kiosk(node_config(tmp_path, stack, mqtt_url=broker.url)) as k:
        sale_id = _five_line_sale(k, stack)
        k.post("finish")
        k.post("new")
        wait_for(lambda: _sale(stack, sale_id), timeout=20, what="sale in the cloud")
        stock_before = {g: _on_hand(stack, g) for g in gtins}
        balance_before = _balance(stack)
        assert isinstance(k.node.devices.cash.acceptor, FakeCashAcceptor)
        # the attendant opens the sale from the receipt QR
        wrong = k.post(
            "return/start", {"secret": "0000", "receipt": RECEIPT_URL + sale_id}, status=409
        )
        assert wrong["code"] == "wrong_pin"
        opened = k.post("return/start", {"secret": PIN, "receipt": RECEIPT_URL + sale_id})
        assert [ln["left"] for ln in opened["lines"]] == ["1", "2", "1", "1", "1"]
        body = {
            "lines": [{"line_no": 2, "qty": "2"}, {"line_no": 4, "qty": "1"}],
            "damaged": [4],
            "reason": "faulty",
        }
        quote = k.post("return/quote", body)
        event = k.post("return/confirm", body)
        assert event["refund_total"] == quote["total"]
        refunds = {r["method"]: Decimal(r["amount"]) for r in event["refunds"]}
        assert sum(refunds.values()) == Decimal(quote["total"])
        assert "card" in refunds  # card first, back through the terminal
        terminal = k.node.devices.payment.adapter
        assert isinstance(terminal, PaymentSimulator)
        assert sum(a for _, a in terminal.refunds()) == refunds["card"]
        # the same lines again, opened by the receipt number typed from the paper: refused
        # locally, nothing paid
        k.post("return/start", {"secret": PIN, "receipt": receipt_number(sale_id)})
        again = k.post("return/confirm", body, status=409)
        assert again["code"] == "nothing_left"
        junk = k.post("return/confirm", {**body, "lines": [{"line_no": 2, "qty": "x"}]}, 409)
        assert junk["code"] == "bad_qty"
        k.post("return/cancel")
        # a sale this kiosk never made cannot be returned here
        other = k.post("return/start", {"secret": PIN, "receipt": "S-ELSEWHERE"}, status=409)
        assert other["code"] == "sale_not_here"
        ret = wait_for(lambda: _return(stack, event["return_id"]), timeout=20, what="return")
    with stack.cloud.sessions() as s:
        assert ret.refund_total == Decimal(event["refund_total"])  # the cloud agrees to the cent
        assert ret.node == "kiosk-1"
        cloud_refunds = s.scalars(select(ReturnRefund).where(ReturnRefund.return_pk == ret.id))
        assert sum(r.amount for r in cloud_refunds) == ret.refund_total
        entry = s.scalars(select(RefundEntry).where(RefundEntry.return_pk == ret.id)).one()
        assert entry.revenue == -(ret.refund_total - ret.tax)
        ledger = int(s.scalar(select(func.sum(PointsEntry.points))) or 0)
        assert ledger == sum(m.points_balance for m in s.scalars(select(Member)))
    after = {g: _on_hand(stack, g) for g in gtins}
    assert after[gtins[1]] - stock_before[gtins[1]] == 2  # restocked
    assert after[gtins[3]] == stock_before[gtins[3]]  # damaged: back, then written off
    assert all(after[g] == stock_before[g] for g in (gtins[0], gtins[2], gtins[4]))
    assert _balance(stack) == balance_before - ret.points_reversed
    assert ret.points_reversed > 0


def test_invoice_request_after_payment_reaches_the_cloud_as_a_pdf(
    tmp_path: Path, world: tuple[Stack, MosquittoProcess, IngestWorker]
) -> None:
    stack, broker, _ = world
    with kiosk(node_config(tmp_path, stack, mqtt_url=broker.url)) as k:
        k.post("scan", {"code": stack.products[0].gtins[0]})
        sale_id = k.pay_card()["sale_id"]
        bad = k.post("invoice", {"buyer_name": "ACME", "tax_id": "no spaces!"}, status=422)
        assert bad["code"] == "bad_request"
        k.post("invoice", {"buyer_name": "ACME 有限公司", "tax_id": "91310000MA1FL0000X"})
        k.post("finish")
        k.post("new")
        none = k.post("invoice", {"buyer_name": "ACME"}, status=409)
        assert none["code"] == "no_sale"
        invoice = wait_for(lambda: _invoice(stack, sale_id), timeout=20, what="invoice")
    assert invoice.buyer_name == "ACME 有限公司"
    with httpx.Client(base_url=stack.cloud.url, timeout=20) as http:
        token = http.post(
            "/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}
        ).json()["access_token"]
        pdf = http.get(
            f"/api/v1/invoices/{invoice.invoice_no}/pdf",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def _sale(stack: Stack, sale_id: str) -> Sale | None:
    with stack.cloud.sessions() as s:
        return s.scalars(select(Sale).where(Sale.sale_id == sale_id)).one_or_none()


def _return(stack: Stack, return_no: str) -> Return | None:
    with stack.cloud.sessions() as s:
        return s.scalars(select(Return).where(Return.return_no == return_no)).one_or_none()


def _invoice(stack: Stack, sale_id: str) -> Invoice | None:
    sale = _sale(stack, sale_id)
    if sale is None:
        return None
    with stack.cloud.sessions() as s:
        return s.scalars(select(Invoice).where(Invoice.sale_pk == sale.id)).one_or_none()


def _balance(stack: Stack) -> int:
    with stack.cloud.sessions() as s:
        return int(s.scalar(select(Member.points_balance).where(Member.phone == PHONE)) or 0)
