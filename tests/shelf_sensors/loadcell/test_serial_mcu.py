"""The serial driver through a real pseudo-terminal with pyserial, and the line parser fuzzed."""

from __future__ import annotations

import os
import time
import tty

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelf_sensors.exceptions import LoadCellError, ProtocolError
from shelf_sensors.loadcell.base import RAW_MAX, RAW_MIN
from shelf_sensors.loadcell.protocol import ClockUnwrapper, Info, Sample, format_line, parse_line
from shelf_sensors.loadcell.serial_mcu import SerialLoadCell


def _read_until(cell: SerialLoadCell, n: int, timeout: float = 5.0) -> list:
    out: list = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        out.extend(cell.read(0.1))
    return out


def test_reads_lines_from_a_pty_and_drops_garbage() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    cell = SerialLoadCell(os.ttyname(slave), ["a1", "a2"])
    cell.open()
    try:
        os.write(master, b"#hello fw=1.2.0 lanes=2 rate=80\n")
        os.write(master, format_line("a1", 1000, -80412))
        os.write(master, b"a2,1001,12")  # split across writes
        os.write(master, b"345\n")
        os.write(master, b"\xff\xfe garbage\n")
        os.write(master, b"a1,1013,-80410*00\n")  # wrong checksum
        os.write(master, b"zz,1014,5\n")  # unknown lane
        os.write(master, b"a1,1025,NR\n")
        os.write(master, format_line("a2", 1026, RAW_MAX))
        got = _read_until(cell, 4)
    finally:
        cell.close()
        os.close(master)
        os.close(slave)
    assert [(r.lane, r.t, r.raw, r.status) for r in got] == [
        ("a1", 1.0, -80412, "ok"),
        ("a2", 1.001, 12345, "ok"),
        ("a1", 1.025, None, "failed"),
        ("a2", 1.026, RAW_MAX, "saturated"),
    ]
    assert cell.bad_lines == 2
    assert cell.unknown_lanes == 1
    assert cell.info == ["hello fw=1.2.0 lanes=2 rate=80"]


def test_missing_port_is_a_load_cell_error() -> None:
    cell = SerialLoadCell("/dev/does-not-exist-shelf", ["a1"])
    with pytest.raises(LoadCellError):
        cell.open()


def test_mcu_clock_wrap_keeps_time_rising() -> None:
    clock = ClockUnwrapper()
    assert clock.seconds(2**32 - 10) == pytest.approx((2**32 - 10) / 1000)
    assert clock.seconds(5) == pytest.approx((2**32 + 5) / 1000)


@given(st.binary(max_size=120))
@settings(max_examples=400, deadline=None)
def test_parser_never_raises_anything_but_protocol_error(data: bytes) -> None:
    try:
        parsed = parse_line(data)
    except ProtocolError:
        return
    assert parsed is None or isinstance(parsed, Info | Sample)


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_driver_feed_survives_any_byte_stream(data: bytes) -> None:
    cell = SerialLoadCell("unused", ["a1"])
    for chunk in (data[: len(data) // 2], data[len(data) // 2 :], b"\n"):
        for r in cell.feed(chunk):
            assert r.lane == "a1"
    assert len(cell._buffer) <= 80


@given(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}", fullmatch=True),
    st.integers(0, 2**32 - 1),
    st.integers(RAW_MIN, RAW_MAX),
    st.booleans(),
)
def test_format_then_parse_round_trips(lane: str, t_ms: int, raw: int, check: bool) -> None:
    parsed = parse_line(format_line(lane, t_ms, raw, with_checksum=check))
    assert isinstance(parsed, Sample)
    assert (parsed.lane, parsed.t_ms, parsed.raw) == (lane, t_ms, raw)


@pytest.mark.parametrize(
    "line",
    [b"a1,12", b"a1,-5,3", b"a1,1,8388608", b"a1,1,abc", b"a 1,1,2", b"a1,1,2*G1", b"x" * 90],
)
def test_malformed_lines_are_refused(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_line(line)
