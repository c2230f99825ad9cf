from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelf_sensors.calibration import Calibration, tare, two_point
from shelf_sensors.calibration_store import CalibrationStore
from shelf_sensors.exceptions import CalibrationError


@given(
    offset=st.integers(-2_000_000, 2_000_000),
    scale=st.floats(1e-4, 0.1),
    known=st.floats(50, 20_000),
    noise=st.lists(st.integers(-3, 3), min_size=40, max_size=40),
)
def test_two_point_recovers_offset_and_scale(
    offset: int, scale: float, known: float, noise: list[int]
) -> None:
    counts = round(known / scale)
    empty = [offset + n for n in noise]
    loaded = [offset + counts + n for n in reversed(noise)]
    cal = two_point(empty, loaded, known)
    assert cal.offset == pytest.approx(offset, abs=3)
    # the two medians may each sit up to 3 counts off: at most 6 counts of error
    assert cal.grams(offset + counts) == pytest.approx(known, abs=6 * scale + 0.01)


def test_tare_only_when_confirmed_empty_and_steady() -> None:
    current = Calibration(offset=0, scale=0.01)
    steady = [1000 + (i % 5) for i in range(40)]
    with pytest.raises(CalibrationError, match="not confirmed empty"):
        tare(current, steady, confirmed_empty=False)
    assert tare(current, steady, confirmed_empty=True).offset == 1002
    shaky = [1000 + 900 * (i % 2) for i in range(40)]
    with pytest.raises(CalibrationError, match="steady"):
        tare(current, shaky, confirmed_empty=True)
    with pytest.raises(CalibrationError, match="valid readings"):
        tare(current, [None] * 40, confirmed_empty=True)


def test_two_point_refuses_no_span_and_bad_weight() -> None:
    flat = [500] * 20
    with pytest.raises(CalibrationError, match="moved the reading"):
        two_point(flat, flat, 1000)
    with pytest.raises(CalibrationError, match="positive"):
        two_point(flat, flat, 0)


def test_store_round_trip(tmp_path: Path) -> None:
    store = CalibrationStore(tmp_path / "x" / "node.sqlite3")
    store.save("a1", Calibration(12.5, 0.002))
    store.save("a1", Calibration(13.0, 0.002))
    store.close()
    again = CalibrationStore(tmp_path / "x" / "node.sqlite3")
    assert again.load() == {"a1": Calibration(13.0, 0.002)}
    again.close()
