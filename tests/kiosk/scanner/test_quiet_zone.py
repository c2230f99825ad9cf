"""A read whose scan line stops at the image's edge has no quiet zone of its own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.scanner.decoders import DecodedSymbol
from kiosk.scanner.quiet_zone import QUIET_MODULES, cut_off, room


def upce(line: tuple[float, float, float, float] | None) -> DecodedSymbol:
    return DecodedSymbol("01234565", "upce", "zxing", line=line)


def test_a_read_ending_at_the_crop_edge_is_cut_off() -> None:
    """Held-out seed 18 ean13#25: read down a 100-row crop, from row 22 to row 97.5."""
    symbol = upce((70.5, 22.5, 70.5, 97.5))
    assert room(symbol, (100, 148)) < 2.0
    assert cut_off(symbol, (100, 148))


def test_a_read_with_its_quiet_zone_in_view_is_not() -> None:
    symbol = upce((40.0, 50.0, 142.0, 50.0))  # 2 px modules, 40 px (20 modules) each side
    assert room(symbol, (100, 183)) == 20.0
    assert not cut_off(symbol, (100, 183))


def test_unknown_geometry_is_never_cut_off() -> None:
    assert room(upce(None), (100, 100)) is None  # pyzbar gives no scan line
    assert room(upce((5.0, 5.0, 5.0, 5.0)), (100, 100)) is None
    assert not cut_off(upce(None), (100, 100))


lines = st.tuples(*(st.floats(0, 199) for _ in range(4))).filter(
    lambda ln: abs(ln[2] - ln[0]) + abs(ln[3] - ln[1]) >= 2
)


@given(lines, st.integers(0, 100))
def test_more_image_around_a_read_never_makes_it_more_cut_off(
    line: tuple[float, float, float, float], pad: int
) -> None:
    """Padding the image on every side can only add room (a crop's cut is the only cause)."""
    before = room(upce(line), (200, 200))
    x0, y0, x1, y1 = line
    after = room(upce((x0 + pad, y0 + pad, x1 + pad, y1 + pad)), (200 + 2 * pad, 200 + 2 * pad))
    assert before is not None
    assert after is not None
    assert after >= before - 1e-6
    assert not cut_off(upce(line), (200, 200)) or before < QUIET_MODULES


@given(lines)
def test_the_direction_of_the_read_does_not_matter(line: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = line
    forward, backward = room(upce(line), (200, 200)), room(upce((x1, y1, x0, y0)), (200, 200))
    assert forward is not None
    assert backward is not None
    assert abs(forward - backward) < 1e-6


@given(lines)
def test_a_read_touching_the_edge_along_its_line_has_no_room(
    line: tuple[float, float, float, float],
) -> None:
    """Moved so that its end lies on the edge it points at, any read is cut off."""
    x0, y0, x1, y1 = line
    dx, dy = x1 - x0, y1 - y0
    shift_x = (199 - max(x0, x1)) if abs(dx) >= abs(dy) and dx > 0 else 0.0
    shift_y = (199 - max(y0, y1)) if abs(dy) > abs(dx) and dy > 0 else 0.0
    shift_x = -min(x0, x1) if abs(dx) >= abs(dy) and dx < 0 else shift_x
    shift_y = -min(y0, y1) if abs(dy) > abs(dx) and dy < 0 else shift_y
    moved = (x0 + shift_x, y0 + shift_y, x1 + shift_x, y1 + shift_y)
    assert room(upce(moved), (200, 200)) == 0.0
    assert cut_off(upce(moved), (200, 200))
