from __future__ import annotations

import math

import pytest

from shelf_sensors.student import t_inside, t_limit


@pytest.mark.parametrize(
    ("dof", "t975"), [(1, 12.706), (2, 4.303), (3, 3.182), (10, 2.228), (30, 2.042)]
)
def test_the_closed_form_matches_the_tabulated_95_percent_points(dof: int, t975: float) -> None:
    assert t_inside(t975, dof) == pytest.approx(0.95, abs=1e-4)
    assert t_limit(1.959964, dof) == pytest.approx(t975, abs=2e-3)


def test_the_limit_keeps_the_normal_tail_and_widens_as_units_get_fewer() -> None:
    limits = [t_limit(3.5, dof) for dof in (5, 10, 20, 39, 1000)]
    assert limits == sorted(limits, reverse=True)
    assert limits[2] == pytest.approx(4.177, abs=2e-3)
    assert limits[-1] == pytest.approx(3.5, abs=0.02)
    assert 1.0 - t_inside(limits[1], 10) == pytest.approx(math.erfc(3.5 / math.sqrt(2)), rel=1e-6)
