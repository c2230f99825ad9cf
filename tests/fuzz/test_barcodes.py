"""Barcode text from cameras and serial scanners: interpreted or marked as an error, never
raised."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner.config import Gs1Config
from kiosk.scanner.gs1 import interpret
from kiosk.scanner.serial_loop import clean_line, split_lines
from tests.fuzz.strategies import FUZZ, hostile_bytes, hostile_text

SYMBOLOGIES = st.sampled_from(["ean13", "upca", "qrcode", "datamatrix", "databar", "code128", "?"])
gs1_like = st.builds(
    lambda aim, body: aim + body,
    st.sampled_from(["", "]E0", "]C1", "]d2", "]Q3", "]e0", "]zz"]),
    st.text(alphabet="0123456789\x1d()/:.?=&abcdefghijklmnopqrstuvwxyz", max_size=60)
    | st.sampled_from(
        [
            "https://id.gs1.org/01/09506000134352/10/ABC?17=2101",
            "0109506000134352\x1d17991231\x1d10LOT",
            "2112345012345",
            "(01)09506000134352(17)250101",
        ]
    ),
)


@FUZZ
@given(
    text=hostile_text | gs1_like,
    symbology=SYMBOLOGIES,
    region=st.sampled_from([None, "gb", "se", "dk"]),
)
def test_interpret_never_raises_and_a_gtin_is_14_digits(
    text: str, symbology: str, region: str | None
) -> None:
    code = interpret(text, symbology, Gs1Config(rcn_region=region))
    assert code.text == text
    if code.gtin is not None:
        assert len(code.gtin) == 14
        assert code.gtin.isdigit()


@FUZZ
@given(chunks=st.lists(hostile_bytes, max_size=6), suffix=st.sampled_from([b"\r", b"\n", b"\r\n"]))
def test_serial_scanner_lines_split_and_clean(chunks: list[bytes], suffix: bytes) -> None:
    buffer = b""
    for chunk in chunks:
        lines, buffer, dropped = split_lines(buffer + chunk, suffix, 128)
        assert dropped >= 0
        assert len(buffer) <= 128
        for line in lines:
            assert len(line) <= 128
            text = clean_line(line)
            assert all(ch >= " " or ch == "\x1d" for ch in text)
