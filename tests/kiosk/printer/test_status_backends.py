"""Status parsing (silence and garbage are unknown) and the serial, file and USB transports."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from kiosk.printer.backends import (
    SerialTransport,
    UsbTransport,
    _usb_fault,
    build_transport,
)
from kiosk.printer.config import (
    FilePrinterConfig,
    SerialPrinterConfig,
    UsbPrinterConfig,
)
from kiosk.printer.exceptions import PrinterFault
from kiosk.printer.receipt import Receipt
from kiosk.printer.service import Printer
from kiosk.printer.status import (
    REQ_OFFLINE_CAUSE,
    REQ_PAPER,
    REQ_PRINTER,
    PaperStatus,
    answer_status_query,
    parse_offline_cause,
    parse_online,
    parse_paper,
)


@pytest.mark.parametrize(
    ("answer", "paper"),
    [
        (b"\x12", PaperStatus.OK),
        (b"\x1e", PaperStatus.NEAR_END),
        (b"\x72", PaperStatus.OUT),
        (b"\x7e", PaperStatus.OUT),
        (b"", PaperStatus.UNKNOWN),  # silence: python-escpos would say "paper OK"
        (None, PaperStatus.UNKNOWN),
        (b"\xff", PaperStatus.UNKNOWN),  # fixed bits wrong: garbage
        (b"\x00", PaperStatus.UNKNOWN),
    ],
)
def test_parse_paper(answer: bytes | None, paper: PaperStatus) -> None:
    assert parse_paper(answer) is paper


def test_parse_online_and_offline_cause() -> None:
    assert parse_online(b"\x12") is True
    assert parse_online(b"\x1a") is False
    assert parse_online(b"") is None
    assert parse_offline_cause(b"\x32") == (False, True, False)
    assert parse_offline_cause(b"\x16") == (True, False, False)
    assert parse_offline_cause(b"garbage!") == (None, None, None)


def test_simulated_answers_round_trip() -> None:
    assert parse_paper(answer_status_query(REQ_PAPER, paper="out")) is PaperStatus.OUT
    assert parse_online(answer_status_query(REQ_PRINTER, online=False)) is False
    assert parse_offline_cause(answer_status_query(REQ_OFFLINE_CAUSE, paper="out"))[1] is True


def test_serial_printer_on_a_loopback_port(en_receipt: Receipt) -> None:
    """loop:// echoes writes back: the status requests read as garbage → unknown."""
    config = SerialPrinterConfig(type="serial", port="loop://", status_timeout_s=0.1)
    transport = build_transport(config)
    assert isinstance(transport, SerialTransport)
    transport.open()
    try:
        transport.write(b"\x1b@hello")
        echoed = transport._serial.read(100)
        assert echoed == b"\x1b@hello"
        assert transport.query(REQ_PAPER, 0.1) == b"\x10"  # the echo, not an answer
        assert parse_paper(transport.query(REQ_PAPER, 0.1)) is PaperStatus.UNKNOWN
    finally:
        transport.close()
    Printer(config).print_receipt(en_receipt)  # unknown status does not block printing


def test_missing_serial_port_is_offline() -> None:
    config = SerialPrinterConfig(type="serial", port="/dev/ttyNOPE9")
    with pytest.raises(PrinterFault) as caught:
        build_transport(config).open()
    assert caught.value.code == "printer_offline"


def test_file_printer_appends_the_receipt(tmp_path: Path, en_receipt: Receipt) -> None:
    path = tmp_path / "lp0"
    printer = Printer(FilePrinterConfig(type="file", path=path))
    printer.print_receipt(en_receipt)
    printer.print_receipt(en_receipt)
    assert path.read_bytes() == printer.render(en_receipt) * 2


def test_file_printer_missing_device_is_offline(tmp_path: Path, en_receipt: Receipt) -> None:
    printer = Printer(FilePrinterConfig(type="file", path=tmp_path / "no" / "lp0"))
    with pytest.raises(PrinterFault) as caught:
        printer.print_receipt(en_receipt)
    assert caught.value.code == "printer_offline"


def test_file_busy_maps_to_printer_busy() -> None:
    from kiosk.printer.backends import _file_fault

    fault = _file_fault("/dev/usb/lp0", OSError(errno.EBUSY, "Device or resource busy"))
    assert fault.code == "printer_busy"
    assert _file_fault("/x", OSError(errno.EACCES, "Permission denied")).code == "printer_error"


def test_usb_errors_map_to_stable_codes() -> None:
    busy = Exception("Unable to open USB printer on (1208, 3605):\n[Errno 16] Resource busy")
    assert _usb_fault(busy).code == "printer_busy"

    class DeviceNotFoundError(Exception):
        pass

    assert _usb_fault(DeviceNotFoundError("Device not found")).code == "printer_offline"
    assert _usb_fault(ValueError("odd")).code == "printer_error"


def test_usb_printer_without_a_device_is_a_fault_not_a_crash() -> None:
    config = UsbPrinterConfig(type="usb", vendor_id=0x04B8, product_id=0x0E15)
    transport = build_transport(config)
    assert isinstance(transport, UsbTransport)
    from escpos.printer.usb import is_usable

    with pytest.raises(PrinterFault) as caught:
        transport.open()
    # with pyusb: no such device on the bus; without it: a clear "install pyusb" error
    assert caught.value.code == ("printer_offline" if is_usable() else "printer_error")


def test_config_rejects_unknown_keys_and_types() -> None:
    from pydantic import TypeAdapter, ValidationError

    from kiosk.printer.config import PrinterConfig

    adapter: TypeAdapter[object] = TypeAdapter(PrinterConfig)
    ok = adapter.validate_python({"type": "network", "host": "10.0.0.5", "cjk": "gb18030"})
    assert ok.port == 9100  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "network", "host": "h", "colour": "red"})
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "bluetooth"})
