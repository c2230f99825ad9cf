"""Scale line parsing (property tests), stability detection, the serial backend on loop://."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals in tests

from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.bagging import StableDetector
from kiosk.scale.fake import FakeScale
from kiosk.scale.parse import parse_scale_line
from kiosk.scale.serial import SerialScale


def test_formats() -> None:
    assert parse_scale_line(b"ST,GS,+  1.234kg\r\n") == D("1234.000")
    assert parse_scale_line("ST,NT,-0.5kg") == D("-500.0")
    assert parse_scale_line(b"  412.5 g\r\n") == D("412.5")
    assert parse_scale_line(b"812") == D(812)
    assert parse_scale_line(b"US,GS,+  1.234kg") is None  # unstable
    assert parse_scale_line(b"OL,GS,+99.999kg") is None
    assert parse_scale_line(b"\xff\xfe") is None
    assert parse_scale_line(b"9999999") is None  # beyond any bag


@given(st.binary(max_size=40))
def test_garbage_never_crashes(raw: bytes) -> None:
    value = parse_scale_line(raw)
    assert value is None or abs(value) <= 100_000


@given(st.integers(-99_999, 99_999))
def test_grams_round_trip(grams: int) -> None:
    assert parse_scale_line(f"ST,GS,{grams}g") == D(grams)


def test_stable_detector_emits_once_per_settled_change() -> None:
    det = StableDetector(window=3, spread_g=D(2))
    out = [det.feed(D(v)) for v in (0, 0.5, 0.2, 0.1, 300, 900, 1040, 1041, 1040, 1040.5)]
    values = [v for v in out if v is not None]
    assert values == [D("0.2"), D("1040.3")]


def test_fake_scale_noise_around_load() -> None:
    scale = FakeScale(noise_g=0.5, sample_s=0.001, seed=1)
    scale.place(250)
    reads = [scale.read(1) for _ in range(50)]
    assert all(r is not None and abs(r - 250) < 5 for r in reads)
    scale.close()
    assert scale.read(1) is None


def test_serial_scale_on_loop() -> None:
    scale = SerialScale("loop://", 9600)
    port = scale._open(0.5)
    port.write(b"garbage\r\nST,GS,+  0.400kg\r\n")
    assert scale.read(0.5) is None
    assert scale.read(0.5) == D("400.000")
    scale.close()
