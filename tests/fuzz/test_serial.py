"""Serial lines from load-cell boards and bagging scales: parsed, or counted as bad; never raised.

The load-cell board is fed through the real ``SerialLoadCell.feed`` (the bytes a pyserial port
would return), chunked at random, with valid lines mixed into the noise.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kiosk.scale.parse import MAX_GRAMS, parse_scale_line
from shelf_sensors.exceptions import ProtocolError
from shelf_sensors.loadcell.protocol import MAX_LINE, format_line, parse_line
from shelf_sensors.loadcell.serial_mcu import SerialLoadCell
from tests.fuzz.strategies import FUZZ, hostile_bytes, refused_with_reason

LANES = ["a1", "a2"]
valid_lines = st.builds(
    lambda lane, t, raw, ck: format_line(lane, t, raw, with_checksum=ck),
    st.sampled_from([*LANES, "zz"]),
    st.integers(0, 2**32 - 1),
    st.integers(-(2**23), 2**23 - 1) | st.sampled_from(["ERR", "SAT"]),
    st.booleans(),
)
noise = hostile_bytes | st.sampled_from([b"\n", b"\r\n", b"a1,1,", b"#info\n", b"a1,1,1*ZZ\n"])


@FUZZ
@given(
    parts=st.lists(valid_lines | noise, max_size=20), cuts=st.lists(st.integers(1, 64), max_size=8)
)
def test_load_cell_stream_parses_or_counts_bad_lines(parts: list[bytes], cuts: list[int]) -> None:
    cell = SerialLoadCell("loop://", LANES)
    stream = b"".join(parts)
    readings = []
    pos = 0
    for size in [*cuts, len(stream)]:
        readings += cell.feed(stream[pos : pos + size])
        pos += size
    for r in readings:
        assert r.lane in LANES
        assert r.raw is None or -(2**23) <= r.raw < 2**23
    assert cell.bad_lines >= 0
    assert len(cell._buffer) <= MAX_LINE + 64


@FUZZ
@given(line=hostile_bytes)
def test_parse_line_raises_only_protocol_errors(line: bytes) -> None:
    try:
        parse_line(line)
    except ProtocolError as exc:
        refused_with_reason(exc)


@FUZZ
@given(line=valid_lines)
def test_formatted_lines_round_trip(line: bytes) -> None:
    parsed = parse_line(line.rstrip(b"\r\n"))
    assert parsed is not None


scale_lines = hostile_bytes | st.builds(
    lambda state, num, unit: f"{state}{num}{unit}".encode(),
    st.sampled_from(["ST,GS,", "US,GS,", "", "ST,"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str) | st.text(max_size=8),
    st.sampled_from(["g", "kg", " KG", "", "lb"]),
)


@FUZZ
@given(line=scale_lines)
def test_scale_lines_give_grams_within_range_or_none(line: bytes) -> None:
    grams = parse_scale_line(line)
    assert grams is None or (isinstance(grams, Decimal) and abs(grams) <= MAX_GRAMS)
