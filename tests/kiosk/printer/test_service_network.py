"""A receipt printed to a (fake) network printer on loopback through the real TCP transport;
paper out, offline, busy and silence surface as they would on hardware."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from kiosk.printer.config import DummyPrinterConfig, NetworkPrinterConfig
from kiosk.printer.exceptions import PrinterFault, ReceiptNotFound
from kiosk.printer.fake import FakeNetworkPrinter
from kiosk.printer.receipt import Receipt, layout
from kiosk.printer.render import Renderer, RenderSettings
from kiosk.printer.service import Printer
from kiosk.printer.status import REQ_PAPER, REQ_PRINTER, PaperStatus


@pytest.fixture
def fake() -> Iterator[FakeNetworkPrinter]:
    with FakeNetworkPrinter() as printer:
        yield printer


def _printer(fake: FakeNetworkPrinter, **extra: object) -> Printer:
    settings: dict[str, object] = {"status_timeout_s": 0.3, **extra}
    config = NetworkPrinterConfig.model_validate(
        {"type": "network", "host": "127.0.0.1", "port": fake.port, **settings}
    )
    return Printer(config)


def test_receipt_bytes_arrive_at_the_network_printer(
    fake: FakeNetworkPrinter, en_receipt: Receipt
) -> None:
    printer = _printer(fake)
    printer.print_receipt(en_receipt)
    assert fake.wait_for(lambda f: len(f.jobs) == 1, timeout=5)
    expected = Renderer(RenderSettings(profile="TM-T88V")).render(layout(en_receipt, 42))
    assert fake.jobs[0] == expected
    assert fake.queries[:2] == [REQ_PRINTER, REQ_PAPER]  # status asked before printing


def test_chinese_receipt_on_a_chinese_firmware_network_printer(
    fake: FakeNetworkPrinter, zh_receipt: Receipt
) -> None:
    printer = _printer(fake, cjk="gb18030")
    printer.print_receipt(zh_receipt)
    assert fake.wait_for(lambda f: len(f.jobs) == 1, timeout=5)
    assert "谢谢惠顾".encode("gb18030") in fake.jobs[0]


def test_paper_out_is_a_fault_and_nothing_prints(
    fake: FakeNetworkPrinter, en_receipt: Receipt
) -> None:
    fake.paper = "out"
    printer = _printer(fake)
    with pytest.raises(PrinterFault) as caught:
        printer.print_receipt(en_receipt)
    assert caught.value.code == "printer_paper_out"
    assert caught.value.fault_data().code == "printer_paper_out"
    assert printer.paper_status() is PaperStatus.OUT
    fake.wait_for(lambda f: len(f.queries) >= 4, timeout=2)
    assert fake.jobs == []


def test_offline_printer_is_a_fault(fake: FakeNetworkPrinter, en_receipt: Receipt) -> None:
    fake.online = False
    with pytest.raises(PrinterFault) as caught:
        _printer(fake).print_receipt(en_receipt)
    assert caught.value.code == "printer_offline"


def test_cover_open_reads_offline(fake: FakeNetworkPrinter, en_receipt: Receipt) -> None:
    fake.online = False
    fake.cover_open = True
    printer = _printer(fake)
    status = printer.status()
    assert (status.online, status.cover_open) == (False, True)
    with pytest.raises(PrinterFault, match="cover open"):
        printer.print_receipt(en_receipt)


def test_unreachable_printer_is_offline(en_receipt: Receipt) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = NetworkPrinterConfig(type="network", host="127.0.0.1", port=port, timeout_s=1)
    printer = Printer(config)
    with pytest.raises(PrinterFault) as caught:
        printer.print_receipt(en_receipt)
    assert caught.value.code == "printer_offline"
    assert printer.status().online is False


def test_silence_is_unknown_not_ok_and_printing_goes_on(
    fake: FakeNetworkPrinter, en_receipt: Receipt
) -> None:
    fake.silent = True
    printer = _printer(fake, status_timeout_s=0.1)
    assert printer.paper_status() is PaperStatus.UNKNOWN
    printer.print_receipt(en_receipt)
    assert fake.wait_for(lambda f: len(f.jobs) == 1, timeout=5)
    assert en_receipt.receipt_no.encode() in fake.jobs[0]
    assert fake.queries.count(REQ_PRINTER) == 2  # asked twice, never answered


def test_reprint_is_marked_and_unknown_receipt_is_an_error(
    fake: FakeNetworkPrinter, en_receipt: Receipt
) -> None:
    printer = _printer(fake)
    printer.print_receipt(en_receipt)
    printer.reprint(en_receipt.receipt_no)
    assert fake.wait_for(lambda f: len(f.jobs) == 2, timeout=5)
    assert b"REPRINT" not in fake.jobs[0]
    assert b"*** REPRINT ***" in fake.jobs[1]
    with pytest.raises(ReceiptNotFound):
        printer.reprint("R-nope")


def test_dummy_printer_records_jobs_and_simulates_faults(en_receipt: Receipt) -> None:
    printer = Printer(DummyPrinterConfig(type="dummy", keep_receipts=1))
    printer.print_receipt(en_receipt)
    dummy = printer.dummy
    assert dummy is not None
    assert dummy.jobs == [printer.render(en_receipt)]
    dummy.paper = "near_end"
    assert printer.paper_status() is PaperStatus.NEAR_END
    printer.print_receipt(en_receipt.model_copy(update={"receipt_no": "R-2"}))
    with pytest.raises(ReceiptNotFound):  # only the last one kept
        printer.reprint(en_receipt.receipt_no)
    dummy.paper = "out"
    with pytest.raises(PrinterFault, match="out of paper"):
        printer.print_receipt(en_receipt)
    assert len(dummy.jobs) == 2
