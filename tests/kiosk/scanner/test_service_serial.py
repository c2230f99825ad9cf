"""Serial scanner: a real pty and pyserial's loop://, partial and garbage lines, unplug."""

from __future__ import annotations

import contextlib
import os
import threading
import tty
from collections.abc import Iterator

import pytest

from kiosk.scanner.config import Gs1Config, SerialScannerConfig
from kiosk.scanner.gs1 import ScannedCode
from kiosk.scanner.serial_loop import clean_line, split_lines
from kiosk.scanner.serial_port import FakeSerialPort, PySerialPort, SerialPort, open_pyserial
from kiosk.scanner.service import ScannerService
from tests.kiosk.scanner.conftest import wait_for

KNOWN = {"04006381333931", "00036000291452", "09506000134352"}


class Recorder:
    def __init__(self) -> None:
        self.codes: list[ScannedCode] = []
        self.lock = threading.Lock()

    def __call__(self, code: ScannedCode) -> None:
        with self.lock:
            self.codes.append(code)

    def gtins(self) -> list[str | None]:
        with self.lock:
            return [c.gtin or c.payment_code for c in self.codes]


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)  # like a USB-COM device: bytes as sent (no CR→NL before pyserial opens)
    name = os.ttyname(slave)
    yield master, name
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_pty_scanner_emits_codes_and_survives_garbage(pty: tuple[int, str]) -> None:
    master, name = pty
    seen = Recorder()
    config = SerialScannerConfig(type="serial", port=name, baudrate=9600, suffix="\r")
    opened: list[SerialPort] = []

    def factory(cfg: SerialScannerConfig) -> SerialPort:
        opened.append(open_pyserial(cfg.port, cfg.baudrate))  # the real pyserial backend
        return opened[-1]

    service = ScannerService(
        config, Gs1Config(), on_scan=seen, is_known=KNOWN.__contains__, serial_factory=factory
    )
    service.start()
    try:
        assert wait_for(lambda: bool(opened))  # pyserial flushes input on open: wait for it
        os.write(master, b"4006381333931\r")
        os.write(master, b"\x00\xff\xfe garbage \x07\r")  # line noise
        os.write(master, b"0360002")  # a partial line, finished later
        assert wait_for(lambda: seen.gtins() == ["04006381333931"])
        os.write(master, b"91452\r")
        os.write(master, b"9999999999999\r")  # bad check digit: not a product
        os.write(master, b"5901234123457\r")  # valid but not in the price book
        os.write(master, b"134567890123456789\r")  # WeChat Pay code: bypasses the price book
        os.write(master, b"]d20109506000134352" + b"1720010110AB\r")  # GS1 with AIM prefix
        assert wait_for(lambda: len(seen.gtins()) == 4)
    finally:
        service.stop()
    assert seen.gtins() == [
        "04006381333931",
        "00036000291452",
        "134567890123456789",
        "09506000134352",
    ]
    assert seen.codes[-1].expiry is not None
    assert service.stats.unknown == 1
    assert service.stats.not_products >= 2


def test_loop_url_scanner_with_crlf_suffix() -> None:
    ports: list[PySerialPort] = []

    def factory(cfg: SerialScannerConfig) -> SerialPort:
        port = open_pyserial(cfg.port, cfg.baudrate)
        ports.append(port)
        return port

    seen = Recorder()
    config = SerialScannerConfig(type="serial", port="loop://", suffix="\r\n")
    service = ScannerService(
        config, Gs1Config(), on_scan=seen, is_known=KNOWN.__contains__, serial_factory=factory
    )
    service.start()
    try:
        assert wait_for(lambda: bool(ports))
        raw = ports[0]._port
        raw.write(b"4006381333931\r\n036000291452\r\n")
        assert wait_for(lambda: len(seen.gtins()) == 2)
    finally:
        service.stop()
    assert seen.gtins() == ["04006381333931", "00036000291452"]


def test_unplugged_scanner_is_reopened() -> None:
    ports: list[FakeSerialPort] = []

    def factory(cfg: SerialScannerConfig) -> SerialPort:
        port = FakeSerialPort()
        ports.append(port)
        return port

    seen = Recorder()
    config = SerialScannerConfig(type="serial", port="/dev/ttyACM0", reconnect_s=0.05)
    service = ScannerService(
        config, Gs1Config(), on_scan=seen, is_known=KNOWN.__contains__, serial_factory=factory
    )
    service.start()
    try:
        assert wait_for(lambda: len(ports) == 1)
        ports[0].feed(b"40063813")
        ports[0].unplug()  # the partial code is lost with the cable
        assert wait_for(lambda: len(ports) == 2)
        ports[1].feed(b"33931\r4006381333931\r")
        assert wait_for(lambda: len(seen.gtins()) == 1)
    finally:
        service.stop()
    assert seen.gtins() == ["04006381333931"]
    assert ports[0].closed
    assert service.stats.reconnects == 1


def test_missing_device_is_retried_not_fatal() -> None:
    config = SerialScannerConfig(type="serial", port="/dev/does-not-exist", reconnect_s=0.05)
    service = ScannerService(config, Gs1Config(), on_scan=Recorder(), is_known=lambda g: True)
    service.start()
    try:
        assert wait_for(lambda: service._threads[0].is_alive())
    finally:
        service.stop()
    assert service._threads == []


def test_split_lines_keeps_partials_and_drops_overlong_noise() -> None:
    lines, rest, dropped = split_lines(b"abc\rdef\r" + b"x" * 40 + b"\rpart", b"\r", 32)
    assert lines == [b"abc", b"def"]
    assert rest == b"part"
    assert dropped == 1
    lines, rest, dropped = split_lines(b"y" * 100, b"\r", 32)
    assert (lines, rest, dropped) == ([], b"", 1)


def test_clean_line_keeps_group_separator_only() -> None:
    assert clean_line(b"\x0201\x1d17\x03 \n") == "01\x1d17"
    assert clean_line(b"\xff\xfe") == "\xff\xfe"


def test_real_pty_unplug_is_detected_and_retried(pty: tuple[int, str]) -> None:
    master, name = pty
    opened: list[SerialPort] = []

    def factory(cfg: SerialScannerConfig) -> SerialPort:
        opened.append(open_pyserial(cfg.port, cfg.baudrate))
        return opened[-1]

    seen = Recorder()
    config = SerialScannerConfig(type="serial", port=name, reconnect_s=0.05)
    service = ScannerService(
        config, Gs1Config(), on_scan=seen, is_known=KNOWN.__contains__, serial_factory=factory
    )
    service.start()
    try:
        assert wait_for(lambda: bool(opened))
        os.write(master, b"4006381333931\r")
        assert wait_for(lambda: len(seen.gtins()) == 1)
        os.close(master)  # the cable is pulled: reads fail, reopening fails, nothing crashes
        assert wait_for(lambda: service.stats.reconnects >= 1)
        assert service._threads[0].is_alive()
    finally:
        service.stop()
    assert seen.gtins() == ["04006381333931"]
